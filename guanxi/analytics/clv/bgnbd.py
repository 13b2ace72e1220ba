"""BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

Reference: P. S. Fader, B. G. S. Hardie, K. L. Lee, "'Counting Your Customers' the
Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 2005,
equations (6) (likelihood), (9) (expected purchases), (10) (conditional expectation)
and the P(alive) expression in the technical note "Computing P(alive) using the
BG/NBD model" (Fader, Hardie & Lee 2008).

While alive, a customer buys at Poisson rate λ ~ Gamma(r, α); after each repeat
purchase she drops out with probability p ~ Beta(a, b). With x repeat purchases,
the last at t_x, observed for T:

    LL = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
         + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ]

The log-likelihood is evaluated on the distinct (x, t_x, T) rows weighted by their
counts (at 1,000,000 customers there are far fewer distinct rows), with an analytic
gradient, and maximised by a bounded quasi-Newton method (SLSQP with bounds only) on
the logarithms of the four parameters, so it never leaves the region where the
formulas hold. Not L-BFGS-B: scipy's L-BFGS-B calls OpenBLAS on every step, whose
thread start-up cost a fixed 0.4 s per fit on a busy 2-CPU machine (6 ms a step);
SLSQP reaches the same optimum (CDNOW: identical to 6 digits) in fewer evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from guanxi.analytics.clv.errors import (
    ALL_ON_LAST_DAY,
    NOT_CONVERGED,
    TOO_LITTLE_DATA,
    InsufficientDataError,
)

LOG_BOUNDS = (np.log(1e-5), np.log(1e5))
MIN_CUSTOMERS = 20
MIN_REPEAT_BUYERS = 5
NEAR_ONE = 1e-3


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    customers: int = 0
    iterations: int = 0
    at_bounds: tuple[str, ...] = ()  # parameters the optimiser left at a bound

    def as_dict(self) -> dict[str, float]:
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
        }


def log_likelihood_terms(
    params: tuple[float, float, float, float],
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """Per-customer log-likelihood (a numpy array, one value per customer)."""
    r, alpha, a, b = params
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b)
    alive_term = -(r + x) * np.log(alpha + big_t)
    has_repeat = x > 0
    dropped_term = np.full_like(x, -np.inf)
    dropped_term[has_repeat] = (
        np.log(a)
        - np.log(b + x[has_repeat] - 1)
        - (r + x[has_repeat]) * np.log(alpha + t_x[has_repeat])
    )
    return head + np.logaddexp(alive_term, dropped_term)


def log_likelihood(
    params: tuple[float, float, float, float],
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> float:
    """Total log-likelihood of the data under `params` = (r, alpha, a, b)."""
    return float(np.sum(log_likelihood_terms(params, frequency, recency, age)))


@dataclass(frozen=True)
class _Prepared:
    """The data in the shape the objective wants: distinct (x, t_x, T) rows with their
    counts, and the distinct values of each column with an index into them, so that
    gammaln/digamma/log run once per distinct x, t_x or T value, not once per row."""

    weights: np.ndarray  # customers per distinct row
    x: np.ndarray  # per distinct row
    has_repeat: np.ndarray
    x_values: np.ndarray  # distinct x
    x_index: np.ndarray
    x_weights: np.ndarray  # customers per distinct x
    t_x_values: np.ndarray
    t_x_index: np.ndarray
    age_values: np.ndarray
    age_index: np.ndarray


def _prepare(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> _Prepared:
    order = np.lexsort((big_t, t_x, x))
    columns = [column[order] for column in (x, t_x, big_t)]
    is_new = np.ones(x.size, dtype=bool)
    is_new[1:] = np.any([np.diff(column) != 0 for column in columns], axis=0)
    starts = np.flatnonzero(is_new)
    weights = np.diff(np.append(starts, x.size)).astype(np.float64)
    rx, rt_x, rbig_t = (column[starts] for column in columns)
    x_values, x_index = np.unique(rx, return_inverse=True)
    t_x_values, t_x_index = np.unique(rt_x, return_inverse=True)
    age_values, age_index = np.unique(rbig_t, return_inverse=True)
    return _Prepared(
        weights=weights,
        x=rx,
        has_repeat=rx > 0,
        x_values=x_values,
        x_index=x_index.reshape(-1),
        x_weights=np.bincount(x_index.reshape(-1), weights=weights),
        t_x_values=t_x_values,
        t_x_index=t_x_index.reshape(-1),
        age_values=age_values,
        age_index=age_index.reshape(-1),
    )


def _weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    # Not np.dot: that is OpenBLAS's ddot, which starts threads above ~10,000 elements;
    # on a busy 2-CPU machine they spun against each other and made the fit 25x slower.
    return float(np.sum(weights * values))


def _negative_ll_and_gradient(
    log_params: np.ndarray, data: _Prepared, scale: float
) -> tuple[float, np.ndarray]:
    r, alpha, a, b = np.exp(log_params)
    x, weights, has_repeat = data.x, data.weights, data.has_repeat
    xs, x_weights = data.x_values, data.x_weights
    # Terms that depend on x only: once per distinct x, weighted by its customers.
    head = gammaln(r + xs) - gammaln(r) + r * np.log(alpha) + betaln(a, b + xs) - betaln(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_b_x1 = np.where(xs > 0, np.log(b + xs - 1), 0.0)
        inverse_b_x1 = np.where(xs > 0, 1.0 / (b + xs - 1), 0.0)
    # Per distinct row: the two branches of the tail, through gathers of small tables.
    log_alpha_t = np.log(alpha + data.age_values)[data.age_index]
    log_alpha_tx = np.log(alpha + data.t_x_values)[data.t_x_index]
    shape = r + x
    alive_term = -shape * log_alpha_t
    dropped_term = np.where(
        has_repeat, np.log(a) - log_b_x1[data.x_index] - shape * log_alpha_tx, -np.inf
    )
    tail = np.logaddexp(alive_term, dropped_term)
    value = float(_weighted_sum(x_weights, head) + _weighted_sum(weights, tail))
    if not np.isfinite(value):
        return 1e300, np.zeros(4)
    # Share of the dropped-out branch in the tail, for the chain rule.
    dropped_weight = weights * np.exp(dropped_term - tail)
    alive_weight = weights - dropped_weight
    inverse_alpha_t = (1.0 / (alpha + data.age_values))[data.age_index]
    inverse_alpha_tx = (1.0 / (alpha + data.t_x_values))[data.t_x_index]
    digamma_a_b_x = digamma(a + b + xs)
    d_r = (
        _weighted_sum(x_weights, digamma(r + xs) - digamma(r) + np.log(alpha))
        - _weighted_sum(alive_weight, log_alpha_t)
        - _weighted_sum(dropped_weight, log_alpha_tx)
    )
    d_alpha = (
        scale * r / alpha
        - _weighted_sum(alive_weight * shape, inverse_alpha_t)
        - _weighted_sum(dropped_weight * shape, inverse_alpha_tx)
    )
    dropped_total = float(dropped_weight.sum())
    d_a = _weighted_sum(x_weights, digamma(a + b) - digamma_a_b_x) + dropped_total / a
    d_b = _weighted_sum(
        x_weights, digamma(b + xs) - digamma_a_b_x - digamma(b) + digamma(a + b)
    ) - _weighted_sum(dropped_weight, inverse_b_x1[data.x_index])
    gradient = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return -value / scale, -gradient / scale


def fit(
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
    *,
    starts: list[tuple[float, float, float, float]] | None = None,
) -> BgNbdParams:
    """Maximum-likelihood (r, alpha, a, b); InsufficientDataError when the data can't tell.

    The fit needs repeat buyers: with none, or very few customers, p and λ are not
    identified and the caller should fall back to rule-based signals.
    """
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    _check(x, t_x, big_t)
    data = _prepare(x, t_x, big_t)
    scale = float(x.size)
    mean_rate = max(float(x.sum() / max(big_t.sum(), 1e-9)), 1e-4)
    default_starts = [(1.0, 1.0 / mean_rate, 1.0, 1.0), (0.5, 0.5 / mean_rate, 0.5, 3.0)]
    best = None
    for start in starts or default_starts:
        result = minimize(
            _negative_ll_and_gradient,
            np.log(np.clip(np.asarray(start, dtype=np.float64), 1e-5, 1e5)),
            args=(data, scale),
            jac=True,
            method="SLSQP",
            bounds=[LOG_BOUNDS] * 4,
            options={"maxiter": 500, "ftol": 1e-14},
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None or best.fun >= 1e299:
        raise InsufficientDataError(str(NOT_CONVERGED) % {"model": "BG/NBD"})
    r, alpha, a, b = (float(value) for value in np.exp(best.x))
    at_bounds = parameters_at_bounds(("r", "alpha", "a", "b"), best.x, LOG_BOUNDS)
    return BgNbdParams(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=-float(best.fun) * scale,
        customers=int(x.size),
        iterations=int(best.nit),
        at_bounds=at_bounds,
    )


def parameters_at_bounds(
    names: tuple[str, ...], log_values: np.ndarray, bounds: tuple[float, float]
) -> tuple[str, ...]:
    """Parameters within 0.1 % of a bound: the data hardly identifies them."""
    return tuple(
        name
        for name, value in zip(names, log_values, strict=True)
        if value <= bounds[0] + 1e-3 or value >= bounds[1] - 1e-3
    )


def _check(x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> None:
    if not (x.shape == t_x.shape == big_t.shape):
        raise ValueError("frequency, recency and age must have the same shape")
    if x.size and (
        np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > big_t) or not np.all(np.isfinite(big_t))
    ):
        raise ValueError("need 0 <= recency <= age and frequency >= 0")
    repeat_buyers = int(np.count_nonzero(x > 0))
    if x.size < MIN_CUSTOMERS or repeat_buyers < MIN_REPEAT_BUYERS:
        raise InsufficientDataError(
            str(TOO_LITTLE_DATA)
            % {
                "model": "BG/NBD",
                "customers": x.size,
                "repeat_buyers": repeat_buyers,
                "min_customers": MIN_CUSTOMERS,
                "min_repeat_buyers": MIN_REPEAT_BUYERS,
            }
        )
    if np.all(big_t <= 0):
        raise InsufficientDataError(str(ALL_ON_LAST_DAY))


def _expected_while_alive(
    shape: np.ndarray, a: float, b_plus_x: np.ndarray, horizon: np.ndarray
) -> np.ndarray:
    """(a+b'−1)/(a−1) · [1 − F]: expected purchases in a horizon of k = t/(α+T) for an
    active customer (s = r+x, b' = b+x, c = a+b'−1), where FHL eq. 10's
    F = (1+k)^−s · 2F1(s, b'; c; k/(1+k)) is evaluated, by Euler's transformation, as

        F = (1+k)^−(a−1) · 2F1(c−s, a−1; c; k/(1+k)).

    Same value; scipy's hyp2f1 is accurate on this form (checked against mpmath on
    3,000 random points of the parameter space: 2 misses, both where F < 1e-18),
    where the plain form overflows and the 2F1(s, a−1; c; −k) form is off in 1 case
    in 10. At a = 1 the ratio is 0/0 but the expectation is smooth in a: there the
    mean of a = 1 ± 1e-3 is used (error O(1e-6))."""
    if abs(a - 1.0) < NEAR_ONE / 2:
        return 0.5 * (
            _expected_while_alive(shape, 1.0 - NEAR_ONE, b_plus_x, horizon)
            + _expected_while_alive(shape, 1.0 + NEAR_ONE, b_plus_x, horizon)
        )
    shape, b_plus_x, horizon = (
        np.array(part, dtype=np.float64) for part in np.broadcast_arrays(shape, b_plus_x, horizon)
    )
    result = np.array(_expected_while_alive_at(shape, a, b_plus_x, horizon), dtype=np.float64)
    missing = ~np.isfinite(result)
    if np.any(missing):
        # c = a+b'−1 = 0 (a + b = 1 exactly, x = 0) makes 2F1 undefined though the
        # expectation is smooth in b: the mean at b ± 1e-6.
        args = (shape[missing], a, b_plus_x[missing], horizon[missing])
        result[missing] = 0.5 * (
            _expected_while_alive_at(args[0], a, args[2] + 1e-6, args[3])
            + _expected_while_alive_at(args[0], a, args[2] - 1e-6, args[3])
        )
    return result


def _expected_while_alive_at(
    shape: np.ndarray, a: float, b_plus_x: np.ndarray, horizon: np.ndarray
) -> np.ndarray:
    c = a + b_plus_x - 1
    z = horizon / (1.0 + horizon)
    first = c - shape
    with np.errstate(all="ignore"):
        hyper = np.asarray(hyp2f1(first, a - 1, c, z), dtype=np.float64)
        missing = ~np.isfinite(hyper)
        if np.any(missing):
            # scipy returns nan when c − (c−s) − (a−1) = s − a + 1 is a whole number and
            # z is near 1; 2F1 is smooth in its first parameter: the mean at ±1e-7
            # (error ~1e-13 against mpmath).
            first_m, c_m, z_m = first[missing], c[missing], z[missing]
            hyper[missing] = 0.5 * (
                hyp2f1(first_m + 1e-7, a - 1, c_m, z_m) + hyp2f1(first_m - 1e-7, a - 1, c_m, z_m)
            )
        remaining = np.exp(-(a - 1) * np.log1p(horizon)) * hyper
        return c / (a - 1) * (1.0 - remaining)


def expected_purchases(params: BgNbdParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)]: expected purchases in (0, t] of a new customer (FHL 2005 eq. 9)."""
    t = np.asarray(t, dtype=np.float64)
    return _expected_while_alive(
        np.asarray(params.r), params.a, np.asarray(params.b), t / params.alpha
    )


def probability_alive(
    params: BgNbdParams, frequency: np.ndarray, recency: np.ndarray, age: np.ndarray
) -> np.ndarray:
    """P(alive | x, t_x, T); 1 for customers without repeat purchases (model assumption)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x = np.asarray(frequency, dtype=np.float64)
    t_x = np.asarray(recency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_odds = (
            np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
    log_odds = np.where(x > 0, log_odds, -np.inf)
    with np.errstate(over="ignore"):  # exp overflow = P(alive) 0, which is the answer
        return 1.0 / (1.0 + np.exp(log_odds))


def conditional_expected_purchases(
    params: BgNbdParams,
    t: float | np.ndarray,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods (FHL 2005 eq. 10)."""
    if np.ndim(t) == 0:
        return conditional_expected_purchases_over(params, [float(t)], frequency, recency, age)[0]
    x = np.asarray(frequency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    horizon = np.asarray(t, dtype=np.float64) / (params.alpha + big_t)
    expected_if_alive = _expected_while_alive(params.r + x, params.a, params.b + x, horizon)
    return expected_if_alive * probability_alive(params, x, recency, age)


def conditional_expected_purchases_over(
    params: BgNbdParams,
    horizons: list[float],
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> list[np.ndarray]:
    """E[Y(t) | x, t_x, T] for several horizons t at once.

    The hypergeometric part depends on (x, T) only, so it is computed once per distinct
    (x, T) pair (at 1,000,000 customers with daily data, a few tens of thousands) and
    spread back; only P(alive) is per customer."""
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    big_t = np.asarray(age, dtype=np.float64).reshape(-1)
    shape = np.shape(frequency)
    alive = probability_alive(params, x, np.asarray(recency).reshape(-1), big_t)
    if x.size == 0:
        return [np.zeros(shape) for _ in horizons]
    order = np.lexsort((big_t, x))
    sorted_x, sorted_t = x[order], big_t[order]
    is_new = np.ones(x.size, dtype=bool)
    is_new[1:] = (np.diff(sorted_x) != 0) | (np.diff(sorted_t) != 0)
    pair_x, pair_t = sorted_x[is_new], sorted_t[is_new]
    pair_of = np.empty(x.size, dtype=np.int64)
    pair_of[order] = np.cumsum(is_new) - 1
    results = []
    for t in horizons:
        per_pair = _expected_while_alive(
            params.r + pair_x, params.a, params.b + pair_x, t / (params.alpha + pair_t)
        )
        results.append((per_pair[pair_of] * alive).reshape(shape))
    return results
