"""Both fits on one summary, plus the holdout comparison analysts check a model with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import numpy as np

from guanxi.analytics.clv import bgnbd, clv, gamma_gamma
from guanxi.analytics.clv.errors import AT_BOUNDS
from guanxi.analytics.clv.summary import Summary, summarise_transactions

HOLDOUT_BUCKETS = 7  # repeat purchases 0..6 each, then "7+" (as in FHL 2005, figure 4)


@dataclass(frozen=True)
class FitReport:
    summary: Summary
    bgnbd: bgnbd.BgNbdParams
    gamma_gamma: gamma_gamma.GammaGammaParams
    holdout: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        summary = self.summary
        result: dict[str, Any] = {
            "bgnbd": _rounded(self.bgnbd.as_dict()),
            "gamma_gamma": _rounded(self.gamma_gamma.as_dict()),
            "customers": summary.customers,
            "repeat_buyers": summary.repeat_buyers,
            "gamma_gamma_customers": self.gamma_gamma.customers,
            "time_unit": summary.time_unit,
            "calibration_end": summary.calibration_end.isoformat(),
            "notes": summary.notes,
        }
        warnings = self.warnings()
        if warnings:
            result["warnings"] = warnings
        if self.holdout is not None:
            result["holdout"] = self.holdout
        return result

    def warnings(self) -> list[str]:
        """Parameters at the edge of their range: fitted, but hardly identified."""
        messages = []
        for model, names in (
            ("BG/NBD", self.bgnbd.at_bounds),
            ("Gamma-Gamma", self.gamma_gamma.at_bounds),
        ):
            if names:
                messages.append(str(AT_BOUNDS) % {"model": model, "names": ", ".join(names)})
        return messages


def fit_summary(summary: Summary) -> FitReport:
    """Fit BG/NBD and Gamma-Gamma; InsufficientDataError if the data is too small."""
    purchases = bgnbd.fit(summary.frequency, summary.recency, summary.age)
    spend = gamma_gamma.fit(summary.frequency, summary.monetary)
    holdout = None
    if summary.holdout_frequency is not None and summary.holdout_length is not None:
        holdout = holdout_comparison(purchases, summary)
    return FitReport(summary=summary, bgnbd=purchases, gamma_gamma=spend, holdout=holdout)


def holdout_comparison(params: bgnbd.BgNbdParams, summary: Summary) -> dict[str, Any]:
    """Predicted (conditional expectation) vs actual purchases in the holdout period,
    in total and by calibration-period frequency."""
    assert summary.holdout_frequency is not None and summary.holdout_length is not None
    predicted = bgnbd.conditional_expected_purchases(
        params, summary.holdout_length, summary.frequency, summary.recency, summary.age
    )
    actual = summary.holdout_frequency
    bucket = np.minimum(summary.frequency, HOLDOUT_BUCKETS).astype(np.int64)
    buckets = []
    for value in range(HOLDOUT_BUCKETS + 1):
        members = bucket == value
        count = int(np.count_nonzero(members))
        if not count:
            continue
        buckets.append(
            {
                "frequency": str(value) if value < HOLDOUT_BUCKETS else f"{value}+",
                "customers": count,
                "predicted_mean": round(float(predicted[members].mean()), 4),
                "actual_mean": round(float(actual[members].mean()), 4),
            }
        )
    assert summary.holdout_end is not None
    return {
        "holdout_end": summary.holdout_end.isoformat(),
        "length": round(summary.holdout_length, 4),
        "predicted_purchases": round(float(predicted.sum()), 2),
        "actual_purchases": int(actual.sum()),
        "by_frequency": buckets,
    }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 6) for key, value in values.items()}


@dataclass(frozen=True)
class CustomerValues:
    """Per-customer figures for the nightly scoring, aligned with `customer_ids`."""

    report: FitReport
    customer_ids: np.ndarray
    predictions: clv.CustomerPredictions


def customer_values_from_transactions(
    customer_ids: np.ndarray,
    dates: np.ndarray,
    amounts: np.ndarray,
    *,
    as_of: datetime.date,
    annual_discount_rate: float | None = None,
    margin: float = 1.0,
    time_unit: str = "days",
) -> CustomerValues:
    """Fit on everything up to `as_of` and predict every customer who bought by then:
    purchases in the next 90 and 365 days, P(alive), expected spend, 12-month CLV.

    Raises InsufficientDataError when the data cannot support the fit: the caller
    keeps the rule-based churn signals and shows no CLV."""
    summary = summarise_transactions(
        customer_ids, dates, amounts, calibration_end=as_of, time_unit=time_unit
    )
    report = fit_summary(summary)
    predictions = clv.predict_customers(
        report.bgnbd,
        report.gamma_gamma,
        summary.frequency,
        summary.recency,
        summary.age,
        summary.monetary,
        time_unit=time_unit,
        annual_discount_rate=annual_discount_rate,
        margin=margin,
    )
    return CustomerValues(report=report, customer_ids=summary.customer_ids, predictions=predictions)
