"""Statistical revenue forecast: pure functions over a monthly series (no database).

Holt-Winters exponential smoothing from statsmodels: additive trend, plus an
additive 12-month season when there are at least 24 months of history; with
fewer than MIN_HISTORY months there is no forecast ("not enough history").
The backtest refits the same kind of model without the last BACKTEST_MONTHS
months and compares its forecast with what happened (MAPE, MAE).

Anything the data throws at it (zeros, a constant, negative months from
refunds, NaN gaps) yields a number or an honest "no forecast", never an
exception: a failed fit falls back to a simpler model, down to the mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_HISTORY = 6
SEASONAL_HISTORY = 24
SEASONAL_PERIOD = 12
BACKTEST_MONTHS = 6
INTERVAL_LEVEL = 0.90
SIMULATIONS = 300

METHOD_SEASONAL = "holt_winters"
METHOD_TREND = "holt"
METHOD_LEVEL = "simple"
METHOD_MEAN = "mean"


@dataclass
class Backtest:
    months: int
    method: str
    actual: list[float]
    predicted: list[float]
    mae: float
    mape: float | None  # None when every held-out month is (about) 0


@dataclass
class RevenueForecast:
    history_months: int
    horizon: int
    method: str | None = None  # None: not enough history
    values: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    backtest: Backtest | None = None

    @property
    def has_forecast(self) -> bool:
        return self.method is not None

    def total(self, months: int) -> float | None:
        return float(sum(self.values[:months])) if self.has_forecast else None


def clean_series(values: Sequence[float | None]) -> np.ndarray:
    """Floats with gaps (None, NaN, ±inf) as 0: a month without orders sold nothing."""
    array = np.array([0.0 if v is None else float(v) for v in values], dtype=float)
    array[~np.isfinite(array)] = 0.0
    return array


def method_for(length: int) -> str | None:
    if length < MIN_HISTORY:
        return None
    if length >= SEASONAL_HISTORY:
        return METHOD_SEASONAL
    return METHOD_TREND


_FALLBACKS = {
    METHOD_SEASONAL: [METHOD_SEASONAL, METHOD_TREND, METHOD_LEVEL, METHOD_MEAN],
    METHOD_TREND: [METHOD_TREND, METHOD_LEVEL, METHOD_MEAN],
    METHOD_LEVEL: [METHOD_LEVEL, METHOD_MEAN],
    METHOD_MEAN: [METHOD_MEAN],
}


def _model(series: np.ndarray, method: str):  # type: ignore[no-untyped-def]
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    if method == METHOD_SEASONAL:
        return ExponentialSmoothing(
            series,
            trend="add",
            seasonal="add",
            seasonal_periods=SEASONAL_PERIOD,
            initialization_method="estimated",
        )
    if method == METHOD_TREND:
        return ExponentialSmoothing(series, trend="add", initialization_method="estimated")
    return ExponentialSmoothing(series, initialization_method="estimated")


def _fit(series: np.ndarray, method: str, horizon: int, *, with_interval: bool) -> tuple:  # type: ignore[type-arg]
    """(method used, forecast, lower, upper) with the first method of the fallback
    chain that fits and gives finite numbers."""
    # Work on a unit scale: the optimiser behaves the same for 10 and 10,000,000 ¥.
    scale = float(np.max(np.abs(series))) if series.size else 0.0
    if scale == 0.0 or float(np.ptp(series)) == 0.0:
        # A constant series (all zeros included) forecasts itself.
        constant = float(series[-1]) if series.size else 0.0
        values = [constant] * horizon
        return METHOD_MEAN, values, values, values
    scaled = series / scale
    for candidate in _FALLBACKS[method]:
        if candidate == METHOD_MEAN:
            mean = float(np.mean(series))
            spread = float(np.std(series))
            z = 1.645
            values = [mean] * horizon
            return (
                METHOD_MEAN,
                values,
                [mean - z * spread] * horizon,
                [mean + z * spread] * horizon,
            )
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                # SLSQP from the heuristic start: the same fit as the default
                # L-BFGS-B with a brute-force start, in a fraction of the time.
                result = _model(scaled, candidate).fit(method="SLSQP", use_brute=False)
                forecast = np.asarray(result.forecast(horizon), dtype=float)
                lower = upper = forecast
                if with_interval:
                    paths = np.asarray(
                        result.simulate(
                            horizon,
                            repetitions=SIMULATIONS,
                            error="add",
                            anchor="end",
                            random_state=7,
                        ),
                        dtype=float,
                    ).reshape(horizon, -1)
                    tail = (1 - INTERVAL_LEVEL) / 2 * 100
                    lower = np.percentile(paths, tail, axis=1)
                    upper = np.percentile(paths, 100 - tail, axis=1)
        except Exception:
            continue
        if not (np.all(np.isfinite(forecast)) and np.all(np.isfinite(lower))):
            continue
        if not np.all(np.isfinite(upper)):
            continue
        return (
            candidate,
            [float(v) * scale for v in forecast],
            [float(v) * scale for v in np.minimum(lower, forecast)],
            [float(v) * scale for v in np.maximum(upper, forecast)],
        )
    return _fit(series, METHOD_MEAN, horizon, with_interval=with_interval)


def backtest(series: Sequence[float | None], months: int = BACKTEST_MONTHS) -> Backtest | None:
    """Fit without the last `months` months, forecast them, compare with the actuals.

    The model is the one the training length allows (method_for); None when the
    training part is shorter than MIN_HISTORY.
    """
    values = clean_series(series)
    training = values[:-months] if months else values
    method = method_for(len(training))
    if method is None or months <= 0 or len(values) <= months:
        return None
    used, predicted, _lower, _upper = _fit(training, method, months, with_interval=False)
    actual = values[-months:]
    errors = np.abs(actual - np.array(predicted))
    # Months under half a cent count as zero: a percentage error against them is
    # meaningless (and overflows to inf for denormal values).
    nonzero = np.abs(actual) >= 0.005
    mape = float(np.mean(errors[nonzero] / np.abs(actual[nonzero]))) if nonzero.any() else None
    if mape is not None and not np.isfinite(mape):
        mape = None
    return Backtest(
        months=months,
        method=used,
        actual=[float(v) for v in actual],
        predicted=[float(v) for v in predicted],
        mae=float(np.mean(errors)),
        mape=mape,
    )


def forecast_revenue(
    series: Sequence[float | None], horizon: int = 6, *, with_interval: bool = True
) -> RevenueForecast:
    """Forecast the next `horizon` months after the last month of `series`.

    `series` is complete months, oldest first, missing months as 0 or None.
    """
    values = clean_series(series)
    method = method_for(len(values))
    result = RevenueForecast(history_months=len(values), horizon=horizon)
    if method is None or horizon <= 0:
        return result
    used, forecast, lower, upper = _fit(values, method, horizon, with_interval=with_interval)
    result.method = used
    result.values = forecast
    result.lower = lower
    result.upper = upper
    result.backtest = backtest(values)
    return result


def percent(value: float | None) -> float | None:
    """A ratio as a rounded percentage (0.1234 -> 12.3), None stays None."""
    if value is None or not math.isfinite(value):
        return None
    return round(value * 100, 1)
