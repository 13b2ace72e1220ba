"""RFM scoring: recency, frequency and monetary value in quantile scores within the company.

Pure functions over numpy arrays (the nightly scoring job feeds them from orders).

Scores are 1 (worst) to `buckets` (best, 5 = quintiles). A customer's score comes
from the *average* rank of their value among all scored customers (as a share
(rank − ½)/n, scored ⌈share · buckets⌉), so equal values
always get the same score (1,000 customers who bought once are all in one bucket,
not spread over three by their ids), and a column where everyone is equal scores
everyone in the middle. Recency is better when smaller (days since the last
purchase), frequency and monetary when larger. Customers with no purchase in the
data get score 0 in all three (not scored), never a crash.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import rankdata

DEFAULT_BUCKETS = 5


@dataclass(frozen=True)
class RfmValues:
    customer_ids: np.ndarray
    recency_days: np.ndarray  # days from the last purchase to `as_of`; nan without purchases
    frequency: np.ndarray  # purchase days in the period
    monetary: np.ndarray  # net amount in the period (refunds subtracted)
    has_purchase: np.ndarray


@dataclass(frozen=True)
class RfmScores:
    recency: np.ndarray  # int, 0 = not scored
    frequency: np.ndarray
    monetary: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.recency + self.frequency + self.monetary

    def codes(self) -> list[str]:
        """'545'-style codes ('' for customers not scored)."""
        return [
            f"{r}{f}{m}" if r else ""
            for r, f, m in zip(self.recency, self.frequency, self.monetary, strict=True)
        ]


def quantile_scores(
    values: np.ndarray, *, buckets: int = DEFAULT_BUCKETS, is_higher_better: bool = True
) -> np.ndarray:
    """1..buckets by average rank; ties share a score; nan (not scored) gives 0."""
    if buckets < 2:
        raise ValueError("buckets must be at least 2")
    values = np.asarray(values, dtype=np.float64)
    scores = np.zeros(values.shape, dtype=np.int64)
    scored = ~np.isnan(values)
    count = int(np.count_nonzero(scored))
    if not count:
        return scores
    oriented = values[scored] if is_higher_better else -values[scored]
    # The middle of the value's rank interval, as a share in (0, 1): symmetric, so that
    # the best of two customers scores as far above the middle as the worst below it.
    share = (rankdata(oriented, method="average") - 0.5) / count
    scores[scored] = np.clip(np.ceil(share * buckets - 1e-9), 1, buckets).astype(np.int64)
    return scores


def rfm_scores(values: RfmValues, *, buckets: int = DEFAULT_BUCKETS) -> RfmScores:
    recency = np.where(values.has_purchase, values.recency_days, np.nan)
    frequency = np.where(values.has_purchase, values.frequency, np.nan)
    monetary = np.where(values.has_purchase, values.monetary, np.nan)
    return RfmScores(
        recency=quantile_scores(recency, buckets=buckets, is_higher_better=False),
        frequency=quantile_scores(frequency, buckets=buckets),
        monetary=quantile_scores(monetary, buckets=buckets),
    )


def rfm_values(
    customer_ids: Sequence[Any] | np.ndarray,
    order_customer_ids: Sequence[Any] | np.ndarray,
    order_dates: Sequence[datetime.date] | np.ndarray,
    order_amounts: Sequence[float] | np.ndarray,
    *,
    as_of: datetime.date,
    period_days: int | None = 365,
) -> RfmValues:
    """R, F and M of every customer in `customer_ids` (those without orders included).

    - orders dated after `as_of` (the future) are ignored;
    - frequency counts purchase *days* in the period (as_of − period_days, as_of]
      (all history if period_days is None); a day whose net amount is negative
      (a refund) is not a purchase;
    - monetary is the net amount in the period, refunds subtracted;
    - recency is the days since the last purchase day on or before `as_of`, at any
      time (a customer who last bought before the period still has a recency).
    """
    if period_days is not None and period_days < 1:
        raise ValueError("period_days must be at least 1")
    customers = np.asarray(customer_ids)
    order_customers = np.asarray(order_customer_ids)
    days = np.fromiter(
        (value.toordinal() for value in order_dates), dtype=np.int64, count=len(order_dates)
    )
    amounts = np.asarray(order_amounts, dtype=np.float64)
    as_of_day = as_of.toordinal()
    start_day = -np.inf if period_days is None else as_of_day - period_days
    is_known = np.isin(order_customers, customers) & (days <= as_of_day)
    order_customers, days, amounts = order_customers[is_known], days[is_known], amounts[is_known]

    position = {customer: index for index, customer in enumerate(customers.tolist())}
    codes = np.fromiter(
        (position[customer] for customer in order_customers.tolist()),
        dtype=np.int64,
        count=order_customers.size,
    )
    size = customers.size
    # Merge each customer's orders of one day; a day with a negative net is a refund day.
    span = int(days.max() - days.min() + 1) if days.size else 1
    first_day = int(days.min()) if days.size else 0
    keys, key_index = np.unique(codes * span + (days - first_day), return_inverse=True)
    day_amounts = np.bincount(key_index.reshape(-1), weights=amounts, minlength=keys.size)
    day_codes = keys // span
    day_days = keys % span + first_day
    is_purchase_day = day_amounts >= 0
    in_period = day_days > start_day

    last_purchase = np.full(size, -1, dtype=np.int64)
    np.maximum.at(last_purchase, day_codes[is_purchase_day], day_days[is_purchase_day])
    has_purchase = last_purchase >= 0
    recency = np.where(has_purchase, as_of_day - last_purchase, np.nan).astype(np.float64)
    frequency = np.bincount(day_codes[is_purchase_day & in_period], minlength=size).astype(
        np.float64
    )
    monetary = np.bincount(day_codes[in_period], weights=day_amounts[in_period], minlength=size)
    return RfmValues(
        customer_ids=customers,
        recency_days=recency,
        frequency=frequency,
        monetary=monetary,
        has_purchase=has_purchase,
    )
