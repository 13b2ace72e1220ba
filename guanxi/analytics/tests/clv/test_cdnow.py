"""The published CDNOW figures, to 3 significant digits (Fader, Hardie & Lee 2005;
Fader & Hardie 2013), from the raw transactions through our summary and fits."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics.clv import (
    bgnbd,
    customer_values_from_transactions,
    fit_summary,
    gamma_gamma,
    summarise_transactions,
)
from guanxi.analytics.tests.cdnow import CALIBRATION_END, HOLDOUT_END, cdnow_transactions


def significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits}g}")


@pytest.fixture(scope="module")
def summary():
    ids, dates, amounts = cdnow_transactions()
    return summarise_transactions(
        ids, dates, amounts, calibration_end=CALIBRATION_END, holdout_end=HOLDOUT_END
    )


def test_summary_matches_the_published_calibration_data(summary) -> None:
    assert summary.customers == 2357
    assert summary.repeat_buyers == 946
    assert summary.notes["same_day_merged"] == 223
    # Customer 0001: 1997-01-01, 01-18, 08-02 in calibration; 12-12 in the holdout.
    first = list(summary.customer_ids).index("0001")
    assert summary.frequency[first] == 2
    assert summary.recency[first] == pytest.approx(213 / 7)
    assert summary.age[first] == pytest.approx(272 / 7)  # 38.86 weeks
    assert summary.monetary[first] == pytest.approx((29.73 + 14.96) / 2)
    assert summary.holdout_frequency[first] == 1
    assert summary.holdout_length == pytest.approx(273 / 7)


def test_bgnbd_fit_reproduces_fader_hardie_lee_2005(summary) -> None:
    params = bgnbd.fit(summary.frequency, summary.recency, summary.age)
    assert significant(params.r) == 0.243
    assert significant(params.alpha, 4) == 4.414
    assert significant(params.a) == 0.793
    assert significant(params.b, 4) == 2.426
    assert significant(params.log_likelihood) == -9580.0
    assert round(params.log_likelihood, 1) == -9582.4


def test_gamma_gamma_fit_reproduces_fader_hardie_2013(summary) -> None:
    params = gamma_gamma.fit(summary.frequency, summary.monetary)
    assert params.customers == 946
    assert significant(params.p) == 6.25
    assert significant(params.q) == 3.74
    assert significant(params.gamma, 4) == 15.44


def test_predictions_on_cdnow_are_sensible(summary) -> None:
    report = fit_summary(summary)
    holdout = report.holdout
    # The conditional expectation for the 39-week holdout, summed over the cohort.
    assert holdout["predicted_purchases"] == pytest.approx(1653.4, abs=0.5)
    assert holdout["actual_purchases"] == 1882
    buckets = {bucket["frequency"]: bucket for bucket in holdout["by_frequency"]}
    assert buckets["0"]["customers"] == 1411
    means = [bucket["predicted_mean"] for bucket in holdout["by_frequency"]]
    assert means == sorted(means)  # more calibration purchases, more expected later
    alive = bgnbd.probability_alive(report.bgnbd, summary.frequency, summary.recency, summary.age)
    assert np.all((alive > 0) & (alive <= 1))
    # Cohort-level E[X(t)] of the paper: about 1.4 repeat purchases in the first year.
    assert bgnbd.expected_purchases(report.bgnbd, 52) == pytest.approx(1.444, abs=0.01)


def test_customer_values_for_the_nightly_job() -> None:
    ids, dates, amounts = cdnow_transactions()
    values = customer_values_from_transactions(
        ids, dates, amounts, as_of=CALIBRATION_END, annual_discount_rate=0.1
    )
    assert values.customer_ids.size == 2357
    # In days: the same fit with α·7; the likelihood differs by the time-density
    # Jacobian, ln 7 per repeat purchase.
    assert values.report.bgnbd.alpha == pytest.approx(4.414 * 7, rel=1e-3)
    repeat_purchases = values.report.summary.frequency.sum()
    assert values.report.bgnbd.log_likelihood == pytest.approx(
        -9582.43 - repeat_purchases * np.log(7), abs=0.01
    )
    predictions = values.predictions
    assert np.all(predictions.purchases_365_days >= predictions.purchases_90_days)
    assert np.all((predictions.probability_alive >= 0) & (predictions.probability_alive <= 1))
    assert np.all(predictions.clv_12_months >= 0)
    first = list(values.customer_ids).index("0001")
    assert predictions.clv_12_months[first] > 0
