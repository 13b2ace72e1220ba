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
gradient, and maximised by L-BFGS-B on the logarithms of the four parameters
(bounded, so the optimiser never leaves the region where the formulas hold).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from guanxi.analytics.clv.errors import InsufficientDataError

LOG_BOUNDS = (np.log(1e-5), np.log(1e5))
MIN_CUSTOMERS = 20
MIN_REPEAT_BUYERS = 5


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = float("nan")
    customers: int = 0
    iterations: int = 0

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


def _negative_ll_and_gradient(
    log_params: np.ndarray,
    x: np.ndarray,
    t_x: np.ndarray,
    big_t: np.ndarray,
    weights: np.ndarray,
    has_repeat: np.ndarray,
    scale: float,
) -> tuple[float, np.ndarray]:
    r, alpha, a, b = np.exp(log_params)
    log_alpha_t = np.log(alpha + big_t)
    log_alpha_tx = np.log(alpha + t_x)
    alive_term = -(r + x) * log_alpha_t
    dropped_term = np.full_like(x, -np.inf)
    b_x1 = b + x - 1
    dropped_term[has_repeat] = (
        np.log(a) - np.log(b_x1[has_repeat]) - (r + x[has_repeat]) * log_alpha_tx[has_repeat]
    )
    tail = np.logaddexp(alive_term, dropped_term)
    terms = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + betaln(a, b + x) - betaln(a, b) + tail
    # Share of the second (dropped-out) branch in the tail, for the chain rule.
    share = np.exp(dropped_term - tail)
    keep = 1.0 - share
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - keep * log_alpha_t - share * log_alpha_tx
    d_alpha = r / alpha - keep * (r + x) / (alpha + big_t) - share * (r + x) / (alpha + t_x)
    d_a = digamma(a + b) - digamma(a + b + x) + share / a
    with np.errstate(divide="ignore", invalid="ignore"):
        share_over_b = np.where(has_repeat, share / b_x1, 0.0)
    d_b = digamma(b + x) - digamma(a + b + x) - digamma(b) + digamma(a + b) - share_over_b
    gradient = np.array(
        [
            np.dot(weights, d_r) * r,
            np.dot(weights, d_alpha) * alpha,
            np.dot(weights, d_a) * a,
            np.dot(weights, d_b) * b,
        ]
    )
    value = float(np.dot(weights, terms))
    if not np.isfinite(value):
        return 1e300, np.zeros(4)
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
    rows, weights = np.unique(np.column_stack([x, t_x, big_t]), axis=0, return_counts=True)
    rx, rt_x, rbig_t = rows[:, 0], rows[:, 1], rows[:, 2]
    weights = weights.astype(np.float64)
    has_repeat = rx > 0
    scale = float(x.size)
    mean_rate = max(float(x.sum() / max(big_t.sum(), 1e-9)), 1e-4)
    default_starts = [(1.0, 1.0 / mean_rate, 1.0, 1.0), (0.5, 0.5 / mean_rate, 0.5, 3.0)]
    best = None
    for start in starts or default_starts:
        result = minimize(
            _negative_ll_and_gradient,
            np.log(np.clip(np.asarray(start, dtype=np.float64), 1e-5, 1e5)),
            args=(rx, rt_x, rbig_t, weights, has_repeat, scale),
            jac=True,
            method="L-BFGS-B",
            bounds=[LOG_BOUNDS] * 4,
            options={"maxiter": 500, "ftol": 1e-14, "gtol": 1e-9},
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
    if best is None or best.fun >= 1e299:
        raise InsufficientDataError("The BG/NBD fit did not converge on this data.")
    r, alpha, a, b = (float(value) for value in np.exp(best.x))
    return BgNbdParams(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=-float(best.fun) * scale,
        customers=int(x.size),
        iterations=int(best.nit),
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
            f"Too little data to fit BG/NBD: {x.size} customers, {repeat_buyers} repeat "
            f"buyers (need at least {MIN_CUSTOMERS} and {MIN_REPEAT_BUYERS})."
        )
    if np.all(big_t <= 0):
        raise InsufficientDataError(
            "Too little data to fit BG/NBD: every customer's first purchase is on the last day."
        )


def _prefactor_a(a: float) -> float:
    # (a+b−1)/(a−1) is singular at a = 1; the expectation itself is continuous there.
    return a if abs(a - 1.0) > 1e-7 else 1.0 + 1e-7


def expected_purchases(params: BgNbdParams, t: float | np.ndarray) -> np.ndarray:
    """E[X(t)]: expected purchases in (0, t] of a new customer (FHL 2005 eq. 9)."""
    r, alpha, a, b = params.r, params.alpha, _prefactor_a(params.a), params.b
    t = np.asarray(t, dtype=np.float64)
    ratio = alpha / (alpha + t)
    return (
        (a + b - 1)
        / (a - 1)
        * (1.0 - np.power(ratio, r) * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
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
    return 1.0 / (1.0 + np.exp(log_odds))


def conditional_expected_purchases(
    params: BgNbdParams,
    t: float | np.ndarray,
    frequency: np.ndarray,
    recency: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next t periods (FHL 2005 eq. 10)."""
    r, alpha, a, b = params.r, params.alpha, _prefactor_a(params.a), params.b
    x = np.asarray(frequency, dtype=np.float64)
    big_t = np.asarray(age, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    ratio = (alpha + big_t) / (alpha + big_t + t)
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    expected_if_alive = (a + b + x - 1) / (a - 1) * (1.0 - np.power(ratio, r + x) * hyper)
    return expected_if_alive * probability_alive(params, x, recency, age)
