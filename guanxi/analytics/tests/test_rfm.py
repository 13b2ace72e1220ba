"""RFM quintiles: ties, customers without orders, refunds, future orders, the period."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.rfm import RfmValues, quantile_scores, rfm_scores, rfm_values

AS_OF = datetime.date(2026, 6, 30)
amounts = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=300), st.integers(2, 10))
def test_scores_are_in_range_monotone_and_ties_share_a_score(values, buckets) -> None:
    array = np.array(values)
    scores = quantile_scores(array, buckets=buckets)
    assert scores.min() >= 1 and scores.max() <= buckets
    order = np.argsort(array, kind="stable")
    assert np.all(np.diff(scores[order]) >= 0)  # a larger value never scores lower
    for value in set(values):
        assert len(set(scores[array == value])) == 1
    reversed_scores = quantile_scores(array, buckets=buckets, is_higher_better=False)
    assert np.all(np.diff(reversed_scores[order]) <= 0)


@settings(max_examples=100, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=200, unique=True), st.randoms())
def test_distinct_values_fill_the_buckets_evenly_in_any_order(values, random) -> None:
    array = np.array(values)
    scores = quantile_scores(array)
    counts = np.bincount(scores, minlength=6)[1:]
    assert counts.max() - counts.min() <= 1
    shuffled = list(range(len(values)))
    random.shuffle(shuffled)
    assert np.array_equal(quantile_scores(array[shuffled]), scores[shuffled])


def test_all_equal_values_score_in_the_middle_and_nan_is_not_scored() -> None:
    assert list(quantile_scores(np.array([7.0] * 10))) == [3] * 10
    assert list(quantile_scores(np.array([np.nan, 1.0, 2.0]), buckets=2)) == [0, 1, 2]
    assert list(quantile_scores(np.array([np.nan]))) == [0]
    with pytest.raises(ValueError):
        quantile_scores(np.array([1.0]), buckets=1)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_rfm_values_handle_the_bad_input_of_the_issue() -> None:
    orders = [
        ("A", "2026-06-01", 100.0),
        ("A", "2026-06-01", 50.0),  # same day: one purchase day
        ("A", "2026-06-20", -30.0),  # refund day: not a purchase, subtracted from spend
        ("A", "2025-01-01", 999.0),  # before the 365-day period: recency only
        ("B", "2026-06-29", 0.0),  # a zero-value order is a purchase
        ("C", "2027-01-01", 500.0),  # in the future: ignored
        ("Z", "2026-06-01", 10.0),  # not one of our customers: ignored
    ]
    values = rfm_values(
        ["A", "B", "C", "D"],
        [row[0] for row in orders],
        [day(row[1]) for row in orders],
        [row[2] for row in orders],
        as_of=AS_OF,
    )
    assert list(values.has_purchase) == [True, True, False, False]
    assert list(values.recency_days[:2]) == [29, 1]
    assert np.all(np.isnan(values.recency_days[2:]))
    assert list(values.frequency) == [1, 1, 0, 0]
    assert list(values.monetary) == [120, 0, 0, 0]
    scores = rfm_scores(values)
    # Two buyers: the better one 4, the worse 2, a tie 3 (the middle).
    assert scores.codes() == ["234", "432", "", ""]
    assert list(scores.total) == [9, 9, 0, 0]


def test_period_is_configurable() -> None:
    dates = [day("2026-06-01"), day("2025-12-01"), day("2024-06-01")]
    all_time = rfm_values(["A"], ["A"] * 3, dates, [1.0] * 3, as_of=AS_OF, period_days=None)
    quarter = rfm_values(["A"], ["A"] * 3, dates, [1.0] * 3, as_of=AS_OF, period_days=90)
    assert (all_time.frequency[0], quarter.frequency[0]) == (3, 1)
    with pytest.raises(ValueError):
        rfm_values(["A"], [], [], [], as_of=AS_OF, period_days=0)


def test_no_orders_at_all() -> None:
    values = rfm_values(["A", "B"], [], [], [], as_of=AS_OF)
    assert rfm_scores(values).codes() == ["", ""]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(-400, 30), amounts), min_size=0, max_size=100)
)
def test_rfm_never_crashes_and_scores_only_buyers(orders) -> None:
    customers = list(range(10))
    values = rfm_values(
        customers,
        [row[0] for row in orders],
        [AS_OF + datetime.timedelta(days=row[1]) for row in orders],
        [row[2] for row in orders],
        as_of=AS_OF,
    )
    scores = rfm_scores(values)
    assert np.array_equal(scores.recency > 0, values.has_purchase)
    assert np.all(values.recency_days[values.has_purchase] >= 0)
    assert isinstance(values, RfmValues)
