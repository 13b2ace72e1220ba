"""Expected customer lifetime value from a BG/NBD and a Gamma-Gamma fit.

Formula (discounted, monthly steps; the horizon is 12 months by default):

    CLV_i = Σ_{k=1..H}  margin · E[M_i] · ( E[Y_i(k·τ)] − E[Y_i((k−1)·τ)] ) / (1 + d)^k

- E[Y_i(t)] is the BG/NBD conditional expectation of customer i's purchases in the
  next t (Fader, Hardie & Lee 2005, eq. 10), so the bracket is the expected number
  of purchases in month k;
- E[M_i] is the Gamma-Gamma conditional expected spend per purchase (Fader & Hardie
  2013, eq. 5); the model's independence assumption lets the two be multiplied
  (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves", section 4);
- τ is one month (365.25/12 days) in the summary's time unit, d the monthly
  discount rate; an annual rate D is turned into d = (1 + D)^(1/12) − 1;
- margin turns revenue into profit (1 = revenue).

This is the discrete-time version of the "discounted expected transactions" of
Fader, Hardie & Lee (2005), as implemented by `lifetimes`'
`GammaGammaFitter.customer_lifetime_value`, with a calendar month of 365.25/12 days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanxi.analytics.clv import bgnbd, gamma_gamma
from guanxi.analytics.clv.summary import TIME_UNITS

DAYS_PER_MONTH = 365.25 / 12
DEFAULT_ANNUAL_DISCOUNT_RATE = 0.10


def monthly_rate(*, annual: float | None = None, monthly: float | None = None) -> float:
    """The monthly discount rate from either rate (annual 10% by default)."""
    if monthly is not None and annual is not None:
        raise ValueError("give the monthly or the annual discount rate, not both")
    if monthly is not None:
        rate = float(monthly)
    else:
        yearly = DEFAULT_ANNUAL_DISCOUNT_RATE if annual is None else float(annual)
        if yearly <= -1:
            raise ValueError("the annual discount rate must be above -100%")
        rate = (1.0 + yearly) ** (1.0 / 12.0) - 1.0
    if rate <= -1 or not np.isfinite(rate):
        raise ValueError("the monthly discount rate must be above -100%")
    return rate


def customer_lifetime_value(
    bgnbd_params: bgnbd.BgNbdParams,
    gamma_gamma_params: gamma_gamma.GammaGammaParams,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    monetary: np.ndarray,
    *,
    time_unit: str,
    months: int = 12,
    monthly_discount_rate: float | None = None,
    annual_discount_rate: float | None = None,
    margin: float = 1.0,
) -> np.ndarray:
    """Discounted expected value of each customer over the next `months` months."""
    if months < 1:
        raise ValueError("months must be at least 1")
    rate = monthly_rate(annual=annual_discount_rate, monthly=monthly_discount_rate)
    month = DAYS_PER_MONTH / TIME_UNITS[time_unit]
    spend = gamma_gamma.conditional_expected_spend(gamma_gamma_params, frequency, monetary)
    cumulative = bgnbd.conditional_expected_purchases_over(
        bgnbd_params, [step * month for step in range(1, months + 1)], frequency, recency, age
    )
    value = np.zeros(np.shape(frequency), dtype=np.float64)
    previous = np.zeros_like(value)
    for step, expected in enumerate(cumulative, start=1):
        value += (expected - previous) / (1.0 + rate) ** step
        previous = expected
    return margin * spend * value


@dataclass(frozen=True)
class CustomerPredictions:
    purchases_90_days: np.ndarray
    purchases_365_days: np.ndarray
    probability_alive: np.ndarray
    expected_spend: np.ndarray
    clv_12_months: np.ndarray


def predict_customers(
    bgnbd_params: bgnbd.BgNbdParams,
    gamma_gamma_params: gamma_gamma.GammaGammaParams,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    monetary: np.ndarray,
    *,
    time_unit: str,
    annual_discount_rate: float | None = None,
    monthly_discount_rate: float | None = None,
    margin: float = 1.0,
) -> CustomerPredictions:
    """What the 360 page and the churn list show per customer."""
    unit = TIME_UNITS[time_unit]
    return CustomerPredictions(
        purchases_90_days=bgnbd.conditional_expected_purchases(
            bgnbd_params, 90 / unit, frequency, recency, age
        ),
        purchases_365_days=bgnbd.conditional_expected_purchases(
            bgnbd_params, 365 / unit, frequency, recency, age
        ),
        probability_alive=bgnbd.probability_alive(bgnbd_params, frequency, recency, age),
        expected_spend=gamma_gamma.conditional_expected_spend(
            gamma_gamma_params, frequency, monetary
        ),
        clv_12_months=customer_lifetime_value(
            bgnbd_params,
            gamma_gamma_params,
            frequency,
            recency,
            age,
            monetary,
            time_unit=time_unit,
            annual_discount_rate=annual_discount_rate,
            monthly_discount_rate=monthly_discount_rate,
            margin=margin,
        ),
    )
