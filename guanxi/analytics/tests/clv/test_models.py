"""Properties of the likelihoods, fits and predictions on any valid data (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.analytics.clv import InsufficientDataError, bgnbd, clv, gamma_gamma
from guanxi.analytics.clv.bgnbd import BgNbdParams
from guanxi.analytics.clv.fitting import FitReport
from guanxi.analytics.clv.gamma_gamma import GammaGammaParams

positive = st.floats(min_value=0.01, max_value=50, allow_nan=False)
customer = st.tuples(
    st.integers(min_value=0, max_value=60),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=200),
)


def as_arrays(rows: list[tuple[int, float, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.array([row[0] for row in rows], dtype=float)
    big_t = np.array([row[2] for row in rows], dtype=float)
    t_x = np.where(x > 0, np.array([row[1] for row in rows]) * big_t, 0.0)
    return x, t_x, big_t


@settings(max_examples=200, deadline=None)
@given(st.tuples(positive, positive, positive, positive), st.lists(customer, min_size=1))
def test_bgnbd_log_likelihood_is_finite_for_any_valid_summary(params, rows) -> None:
    x, t_x, big_t = as_arrays(rows)
    terms = bgnbd.log_likelihood_terms(params, x, t_x, big_t)
    assert np.all(np.isfinite(terms))


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(positive, positive, positive),
    st.lists(st.tuples(st.integers(1, 100), st.floats(min_value=0.01, max_value=1e6)), min_size=1),
)
def test_gamma_gamma_log_likelihood_is_finite(params, rows) -> None:
    x = np.array([row[0] for row in rows], dtype=float)
    m_x = np.array([row[1] for row in rows])
    assert np.all(np.isfinite(gamma_gamma.log_likelihood_terms(params, x, m_x)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(customer, min_size=0, max_size=80))
def test_bgnbd_fit_never_crashes(rows) -> None:
    x, t_x, big_t = as_arrays(rows)
    try:
        params = bgnbd.fit(x, t_x, big_t)
    except InsufficientDataError as error:
        assert error.message
        return
    assert all(np.isfinite([params.r, params.alpha, params.a, params.b]))
    assert np.isfinite(params.log_likelihood)
    # The optimum is at least as good as the starting point.
    start = (1.0, 1.0, 1.0, 1.0)
    assert params.log_likelihood >= bgnbd.log_likelihood(start, x, t_x, big_t) - 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 20), st.floats(min_value=0, max_value=1e5)), max_size=60))
def test_gamma_gamma_fit_never_crashes(rows) -> None:
    x = np.array([row[0] for row in rows], dtype=float)
    m_x = np.array([row[1] for row in rows], dtype=float)
    try:
        params = gamma_gamma.fit(x, m_x)
    except InsufficientDataError:
        return
    spend = gamma_gamma.conditional_expected_spend(params, x, m_x)
    assert np.all(np.isfinite(spend)) and np.all(spend > 0)


def test_all_one_time_buyers_raise_a_catchable_error() -> None:
    x = np.zeros(500)
    big_t = np.linspace(1, 52, 500)
    with translation.override("en"):
        with pytest.raises(InsufficientDataError, match="500 customers, 0 repeat buyers"):
            bgnbd.fit(x, x, big_t)
        with pytest.raises(InsufficientDataError, match="0 repeat buyers"):
            gamma_gamma.fit(x, x)


def test_all_purchases_on_one_day_raise_a_catchable_error() -> None:
    x = np.zeros(100)
    with pytest.raises(InsufficientDataError):
        bgnbd.fit(x, x, x)


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(positive, positive, positive, positive),
    customer,
    st.floats(min_value=0.1, max_value=100),
    st.floats(min_value=0.1, max_value=100),
)
def test_predictions_grow_with_the_horizon(params, row, t_short, extra) -> None:
    r, alpha, a, b = params
    fitted = BgNbdParams(r=r, alpha=alpha, a=a, b=b)
    x, t_x, big_t = as_arrays([row])
    t_long = t_short + extra
    short = bgnbd.conditional_expected_purchases(fitted, t_short, x, t_x, big_t)[0]
    long = bgnbd.conditional_expected_purchases(fitted, t_long, x, t_x, big_t)[0]
    assert np.isfinite(short) and short >= 0
    assert long >= short * (1 - 1e-7) - 1e-9
    cohort_short = bgnbd.expected_purchases(fitted, t_short)
    cohort_long = bgnbd.expected_purchases(fitted, t_long)
    assert cohort_long >= cohort_short * (1 - 1e-7) - 1e-9
    alive = bgnbd.probability_alive(fitted, x, t_x, big_t)[0]
    assert 0 <= alive <= 1  # may underflow to 0 for extreme parameters


def test_probability_alive_falls_with_time_since_last_purchase() -> None:
    fitted = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    recency = np.array([38.0, 30.0, 20.0, 10.0, 1.0])
    alive = bgnbd.probability_alive(fitted, np.full(5, 3.0), recency, np.full(5, 38.86))
    assert np.all(np.diff(alive) < 0)
    assert bgnbd.probability_alive(fitted, np.zeros(1), np.zeros(1), np.ones(1) * 38.86)[0] == 1


def test_clv_discounting_and_margin() -> None:
    purchases = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    spend = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    x, t_x, big_t, m_x = (np.array([value]) for value in (2.0, 30.43, 38.86, 22.35))
    undiscounted = clv.customer_lifetime_value(
        purchases, spend, x, t_x, big_t, m_x, time_unit="weeks", monthly_discount_rate=0.0
    )
    expected = bgnbd.conditional_expected_purchases(
        purchases, 12 * clv.DAYS_PER_MONTH / 7, x, t_x, big_t
    ) * gamma_gamma.conditional_expected_spend(spend, x, m_x)
    assert undiscounted == pytest.approx(expected)
    discounted = clv.customer_lifetime_value(
        purchases, spend, x, t_x, big_t, m_x, time_unit="weeks", annual_discount_rate=0.1
    )
    assert undiscounted[0] * 0.9 < discounted[0] < undiscounted[0]
    half = clv.customer_lifetime_value(
        purchases, spend, x, t_x, big_t, m_x, time_unit="weeks", margin=0.5
    )
    assert half == pytest.approx(discounted * 0.5)
    assert clv.monthly_rate(annual=0.1) == pytest.approx(1.1 ** (1 / 12) - 1)
    with pytest.raises(ValueError):
        clv.monthly_rate(annual=0.1, monthly=0.01)


def test_predict_customers_same_figures_in_any_time_unit() -> None:
    purchases_weeks = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    # The same model in days: λ is per day, so α scales by 7.
    purchases_days = BgNbdParams(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
    spend = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    x, m_x = np.array([0.0, 1.0, 5.0]), np.array([0.0, 20.0, 40.0])
    t_x_weeks, big_t_weeks = np.array([0.0, 10.0, 30.0]), np.array([20.0, 30.0, 38.0])
    weeks = clv.predict_customers(
        purchases_weeks, spend, x, t_x_weeks, big_t_weeks, m_x, time_unit="weeks"
    )
    days = clv.predict_customers(
        purchases_days, spend, x, t_x_weeks * 7, big_t_weeks * 7, m_x, time_unit="days"
    )
    for name in ("purchases_90_days", "purchases_365_days", "probability_alive", "clv_12_months"):
        assert getattr(weeks, name) == pytest.approx(getattr(days, name), rel=1e-9)
    assert np.all(weeks.purchases_365_days > weeks.purchases_90_days)


@settings(max_examples=50, deadline=None)
@given(st.tuples(positive, positive, positive, positive), st.lists(customer, min_size=1))
def test_predictions_per_distinct_pair_equal_per_customer(params, rows) -> None:
    fitted = BgNbdParams(*params)
    x, t_x, big_t = as_arrays(rows)
    grouped = bgnbd.conditional_expected_purchases(fitted, 13.0, x, t_x, big_t)
    direct = bgnbd.conditional_expected_purchases(fitted, np.full(x.size, 13.0), x, t_x, big_t)
    assert np.allclose(grouped, direct, rtol=1e-12, atol=0)


def test_a_parameter_at_its_bound_is_reported() -> None:
    # Every repeat buyer bought at the very end: nobody seems to drop out, a → 0.
    rng = np.random.default_rng(1)
    big_t = rng.uniform(20, 52, 200)
    x = rng.integers(1, 8, 200).astype(float)
    x[:50] = 0
    params = bgnbd.fit(x, np.where(x > 0, big_t, 0.0), big_t)
    assert "a" in params.at_bounds
    spend = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    report = FitReport(summary=None, bgnbd=params, gamma_gamma=spend)
    with translation.override("en"):
        assert report.warnings() == [
            "BG/NBD: a reached the edge of the allowed range (1e-5 to 1e5); the data hardly "
            "determines it, so treat the predictions with care."
        ]
