"""The forecast functions on synthetic series (no database)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.reports import forecast


def seasonal_series(months: int, *, noise: float = 0.0, seed: int = 1) -> np.ndarray:
    index = np.arange(months)
    rng = np.random.default_rng(seed)
    return (
        100_000
        + 1_500 * index
        + 30_000 * np.sin(2 * np.pi * index / 12)
        + rng.normal(0, noise, months)
    )


def test_seasonal_history_gets_holt_winters_close_to_the_truth() -> None:
    history = seasonal_series(48, noise=1_000)
    result = forecast.forecast_revenue(history, 6)
    assert result.method == forecast.METHOD_SEASONAL
    truth = seasonal_series(54)[48:]
    errors = np.abs(np.array(result.values) - truth) / truth
    assert errors.max() < 0.05
    bands = zip(result.lower, result.values, result.upper, strict=True)
    assert all(lo <= v <= hi for lo, v, hi in bands)
    assert result.backtest is not None
    assert result.backtest.months == 6
    assert result.backtest.method == forecast.METHOD_SEASONAL
    assert result.backtest.mape is not None and result.backtest.mape < 0.05
    assert result.backtest.mae > 0


def test_the_backtest_compares_with_the_held_out_months() -> None:
    history = seasonal_series(36)
    backtest = forecast.backtest(history, 6)
    assert backtest is not None
    assert backtest.actual == [float(v) for v in history[-6:]]
    manual_mae = np.mean(np.abs(np.array(backtest.actual) - np.array(backtest.predicted)))
    assert math.isclose(backtest.mae, manual_mae)


def test_between_6_and_24_months_trend_only() -> None:
    history = [100.0 + 10 * i for i in range(12)]
    result = forecast.forecast_revenue(history, 3)
    assert result.method == forecast.METHOD_TREND
    assert [round(v) for v in result.values] == [220, 230, 240]
    # 12 months: the backtest trains on 6 (trend only again).
    assert result.backtest is not None and result.backtest.method == forecast.METHOD_TREND
    assert result.backtest.mape is not None and result.backtest.mape < 0.01


def test_fewer_than_6_months_is_not_enough_history() -> None:
    result = forecast.forecast_revenue([100, 200, 300, 400, 500], 6)
    assert not result.has_forecast
    assert result.values == []
    assert result.total(3) is None
    assert result.history_months == 5


def test_twenty_four_months_switches_to_seasonal() -> None:
    assert forecast.method_for(23) == forecast.METHOD_TREND
    assert forecast.method_for(24) == forecast.METHOD_SEASONAL
    assert forecast.method_for(5) is None


def test_constant_and_zero_series_forecast_themselves() -> None:
    assert forecast.forecast_revenue([0] * 30, 6).values == [0.0] * 6
    result = forecast.forecast_revenue([5000] * 10, 6)
    assert result.values == [5000.0] * 6
    assert result.backtest is None or result.backtest.mape == 0.0


def test_all_zero_holdout_has_no_mape() -> None:
    backtest = forecast.backtest([10, 20, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0], 6)
    assert backtest is not None
    assert backtest.mape is None


def test_gaps_and_non_numbers_count_as_zero() -> None:
    cleaned = forecast.clean_series([1, None, float("nan"), float("inf"), -5])
    assert cleaned.tolist() == [1.0, 0.0, 0.0, 0.0, -5.0]


months_of_revenue = st.lists(
    st.one_of(
        st.none(),
        st.just(0.0),
        st.just(float("nan")),
        st.floats(min_value=-1e7, max_value=1e9),
    ),
    min_size=0,
    max_size=40,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series=months_of_revenue, horizon=st.integers(min_value=0, max_value=7))
def test_any_series_gives_finite_numbers_or_no_forecast(series: list, horizon: int) -> None:
    result = forecast.forecast_revenue(series, horizon)
    if len(series) < forecast.MIN_HISTORY or horizon == 0:
        assert not result.has_forecast
        return
    assert result.has_forecast
    assert len(result.values) == horizon
    for values in (result.values, result.lower, result.upper):
        assert all(math.isfinite(v) for v in values)
    if result.backtest is not None:
        assert math.isfinite(result.backtest.mae)
        assert result.backtest.mape is None or math.isfinite(result.backtest.mape)


def test_percent() -> None:
    assert forecast.percent(0.1234) == 12.3
    assert forecast.percent(None) is None
    assert forecast.percent(float("nan")) is None
