"""Gamma-Gamma model of spend per purchase, fitted by maximum likelihood.

Reference: P. S. Fader & B. G. S. Hardie, "The Gamma-Gamma Model of Monetary Value"
(2013 note, http://brucehardie.com/notes/025/), after Colombo & Jiang (1999).

A customer's purchase amounts are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers;
the mean m_x of x purchases has density

    f(m_x | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · m_x^(px−1) · x^(px) / (γ + x m_x)^(px+q)

The model is fitted on repeat buyers (x > 0) with a positive mean repeat spend, as
in the note (CDNOW: 946 customers). It assumes spend and purchase frequency are
independent; `spend_frequency_correlation` lets a caller check that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from guanxi.analytics.clv.bgnbd import parameters_at_bounds
from guanxi.analytics.clv.errors import (
    NOT_CONVERGED,
    SAME_SPEND,
    TOO_LITTLE_DATA,
    InsufficientDataError,
)

LOG_BOUNDS = (np.log(1e-5), np.log(1e7))
MIN_REPEAT_BUYERS = 10


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float
    log_likelihood: float = float("nan")
    customers: int = 0
    fallback_mean: float = float("nan")  # mean repeat spend, used when q <= 1
    at_bounds: tuple[str, ...] = ()  # parameters the optimiser left at a bound

    def as_dict(self) -> dict[str, float]:
        return {"p": self.p, "q": self.q, "gamma": self.gamma}


def fit_sample(frequency: np.ndarray, monetary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The customers the model is fitted on: x > 0 and a positive mean repeat spend."""
    x = np.asarray(frequency, dtype=np.float64)
    m_x = np.asarray(monetary, dtype=np.float64)
    keep = (x > 0) & (m_x > 0) & np.isfinite(m_x)
    return x[keep], m_x[keep]


def log_likelihood_terms(
    params: tuple[float, float, float], frequency: np.ndarray, monetary: np.ndarray
) -> np.ndarray:
    p, q, gamma = params
    x = np.asarray(frequency, dtype=np.float64)
    m_x = np.asarray(monetary, dtype=np.float64)
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + m_x * x)
    )


def log_likelihood(
    params: tuple[float, float, float], frequency: np.ndarray, monetary: np.ndarray
) -> float:
    return float(np.sum(log_likelihood_terms(params, frequency, monetary)))


@dataclass(frozen=True)
class _Prepared:
    """Sums that do not depend on the parameters, and the distinct x with their counts:
    the gamma functions depend on x only, so they run once per distinct x."""

    x: np.ndarray
    spend_total: np.ndarray  # x · m_x per customer
    x_values: np.ndarray
    x_counts: np.ndarray
    sum_log_m: float
    sum_x_log_m: float


def _prepare(x: np.ndarray, m_x: np.ndarray) -> _Prepared:
    x_values, x_counts = np.unique(x, return_counts=True)
    log_m_x = np.log(m_x)
    return _Prepared(
        x=x,
        spend_total=x * m_x,
        x_values=x_values,
        x_counts=x_counts.astype(np.float64),
        sum_log_m=float(np.sum(log_m_x)),
        sum_x_log_m=float(np.sum(x * log_m_x)),
    )


def _negative_ll_and_gradient(
    log_params: np.ndarray, data: _Prepared, scale: float
) -> tuple[float, np.ndarray]:
    p, q, gamma = np.exp(log_params)
    xs, counts = data.x_values, data.x_counts
    pxs = p * xs
    log_total = np.log(gamma + data.spend_total)  # per customer
    sum_log_total = float(np.sum(log_total))
    sum_x_log_total = float(np.sum(data.x * log_total))
    value = (
        float(np.sum(counts * (gammaln(pxs + q) - gammaln(pxs) + pxs * np.log(xs))))
        + scale * (q * np.log(gamma) - gammaln(q))
        + p * data.sum_x_log_m
        - data.sum_log_m
        - p * sum_x_log_total
        - q * sum_log_total
    )
    if not np.isfinite(value):
        return 1e300, np.zeros(3)
    digamma_sum = digamma(pxs + q)
    d_p = (
        float(np.sum(counts * xs * (digamma_sum - digamma(pxs) + np.log(xs))))
        + data.sum_x_log_m
        - sum_x_log_total
    )
    d_q = float(np.sum(counts * digamma_sum)) + scale * (np.log(gamma) - digamma(q)) - sum_log_total
    d_gamma = scale * q / gamma - float(np.sum((p * data.x + q) / (gamma + data.spend_total)))
    gradient = np.array([d_p * p, d_q * q, d_gamma * gamma])
    return -value / scale, -gradient / scale


def fit(frequency: np.ndarray, monetary: np.ndarray) -> GammaGammaParams:
    """Maximum-likelihood (p, q, γ) on the repeat buyers of a summary."""
    x, m_x = fit_sample(frequency, monetary)
    if x.size < MIN_REPEAT_BUYERS:
        positive = int(np.count_nonzero(np.asarray(frequency) > 0))
        raise InsufficientDataError(
            str(TOO_LITTLE_DATA)
            % {
                "model": "Gamma-Gamma",
                "customers": np.size(frequency),
                "repeat_buyers": positive,
                "min_customers": MIN_REPEAT_BUYERS,
                "min_repeat_buyers": MIN_REPEAT_BUYERS,
            }
        )
    if np.ptp(m_x) == 0:
        raise InsufficientDataError(str(SAME_SPEND))
    data = _prepare(x, m_x)
    scale = float(x.size)
    mean_spend = float(np.mean(m_x))
    # First start: population mean spend pγ/(q−1) equal to the sample's. The others
    # only if that one fails (the likelihood is well behaved: one start is enough).
    starts = ((2.0, 3.0, mean_spend), (1.0, 1.0, 1.0), (5.0, 3.0, 2.0 * mean_spend / 5.0))
    best = None
    for start in starts:
        result = minimize(
            _negative_ll_and_gradient,
            np.log(np.clip(np.asarray(start, dtype=np.float64), 1e-5, 1e7)),
            args=(data, scale),
            jac=True,
            method="SLSQP",  # bounded; see bgnbd.py on why not L-BFGS-B
            bounds=[LOG_BOUNDS] * 3,
            options={"maxiter": 1000, "ftol": 1e-15},
        )
        if np.isfinite(result.fun) and (best is None or result.fun < best.fun):
            best = result
        if result.success and result.fun < 1e299:
            break
    if best is None or best.fun >= 1e299:
        raise InsufficientDataError(str(NOT_CONVERGED) % {"model": "Gamma-Gamma"})
    p, q, gamma = (float(value) for value in np.exp(best.x))
    return GammaGammaParams(
        p=p,
        q=q,
        gamma=gamma,
        log_likelihood=-float(best.fun) * scale,
        customers=int(x.size),
        fallback_mean=mean_spend,
        at_bounds=parameters_at_bounds(("p", "q", "gamma"), best.x, LOG_BOUNDS),
    )


def conditional_expected_spend(
    params: GammaGammaParams, frequency: np.ndarray, monetary: np.ndarray
) -> np.ndarray:
    """E[M | x, m_x] = p(γ + x m_x) / (px + q − 1): a weighted mean of the population
    mean γp/(q−1) and the customer's own m_x. Customers with no repeat purchase get
    the population mean (or, if q <= 1 makes that infinite, the mean repeat spend)."""
    p, q, gamma = params.p, params.q, params.gamma
    x = np.asarray(frequency, dtype=np.float64)
    m_x = np.where(x > 0, np.asarray(monetary, dtype=np.float64), 0.0)
    population = gamma * p / (q - 1) if q > 1 else params.fallback_mean
    denominator = p * x + q - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = p * (gamma + x * m_x) / denominator
    return np.where((x > 0) & (denominator > 0), conditional, population)


def spend_frequency_correlation(frequency: np.ndarray, monetary: np.ndarray) -> float:
    """Pearson correlation of x and m_x among repeat buyers (the model wants it near 0)."""
    x, m_x = fit_sample(frequency, monetary)
    if x.size < 2 or np.ptp(x) == 0 or np.ptp(m_x) == 0:
        return 0.0
    return float(np.corrcoef(x, m_x)[0, 1])
