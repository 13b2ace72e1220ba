"""Transactions → summary: same-day merging and the bad input the issue lists."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.clv import summarise_transactions

END = datetime.date(2026, 3, 31)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def summarise(rows: list[tuple[str, str, float]], **options):
    ids = [row[0] for row in rows]
    dates = [day(row[1]) for row in rows]
    amounts = [row[2] for row in rows]
    options.setdefault("calibration_end", END)
    options.setdefault("time_unit", "days")
    return summarise_transactions(ids, dates, amounts, **options)


def by_customer(summary) -> dict[str, tuple[float, float, float, float]]:
    return {
        str(customer): (frequency, recency, age, monetary)
        for customer, frequency, recency, age, monetary in zip(
            summary.customer_ids,
            summary.frequency,
            summary.recency,
            summary.age,
            summary.monetary,
            strict=True,
        )
    }


def test_frequency_recency_age_and_mean_repeat_spend() -> None:
    summary = summarise(
        [
            ("A", "2026-01-01", 100),
            ("A", "2026-01-11", 50),
            ("A", "2026-01-31", 70),
            ("B", "2026-03-01", 10),
        ]
    )
    rows = by_customer(summary)
    assert rows["A"] == (2, 30, 89, 60)  # the first purchase is not in the mean
    assert rows["B"] == (0, 0, 30, 0)
    assert summary.repeat_buyers == 1


def test_same_day_purchases_are_merged_into_one() -> None:
    summary = summarise(
        [("A", "2026-01-01", 10), ("A", "2026-01-01", 5), ("A", "2026-02-01", 7),
         ("A", "2026-02-01", 3)]
    )  # fmt: skip
    assert by_customer(summary)["A"] == (1, 31, 89, 10)
    assert summary.notes["same_day_merged"] == 2


def test_refund_days_future_orders_and_zero_values() -> None:
    summary = summarise(
        [
            ("A", "2026-01-01", 100),
            ("A", "2026-01-05", -40),  # a refund on its own day: not a purchase
            ("A", "2026-01-10", 0),  # a free order still counts as a purchase
            ("A", "2026-01-10", 0),
            ("B", "2026-02-01", 80),
            ("B", "2026-02-01", -80),  # bought and returned the same day: net 0, kept
            ("C", "2027-01-01", 80),  # dated in the future: ignored
        ]
    )
    rows = by_customer(summary)
    assert rows["A"] == (1, 9, 89, 0)
    assert rows["B"] == (0, 0, 58, 0)
    assert "C" not in rows
    assert summary.notes["refund_days_dropped"] == 1
    assert summary.notes["after_last_date_ignored"] == 1


def test_holdout_counts_and_late_first_purchases() -> None:
    summary = summarise(
        [
            ("A", "2026-03-01", 10),
            ("A", "2026-04-02", 10),
            ("A", "2026-04-02", 10),
            ("A", "2026-05-01", 10),
            ("A", "2026-07-01", 10),  # after the holdout end
            ("B", "2026-04-15", 10),  # first purchase in the holdout: not in the cohort
        ],
        holdout_end=day("2026-06-30"),
    )
    assert list(summary.customer_ids) == ["A"]
    assert list(summary.holdout_frequency) == [2]
    assert summary.holdout_length == 91
    assert summary.notes["first_purchase_after_calibration"] == 1


def test_time_units_and_numpy_dates() -> None:
    dates = np.array(["2026-01-01", "2026-01-15"], dtype="datetime64[D]")
    summary = summarise_transactions(
        ["A", "A"], dates, [1.0, 2.0], calibration_end=day("2026-01-29"), time_unit="weeks"
    )
    assert (summary.frequency[0], summary.recency[0], summary.age[0]) == (1, 2, 4)


def test_empty_input_and_bad_options() -> None:
    summary = summarise([])
    assert summary.customers == 0
    with pytest.raises(ValueError):
        summarise([("A", "2026-01-01", 1)], time_unit="fortnights")
    with pytest.raises(ValueError):
        summarise([("A", "2026-01-01", 1)], holdout_end=day("2026-01-01"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-5, 40), st.integers(0, 120), st.sampled_from([-20.0, 0.0, 5.0, 9.5])
        ),
        max_size=80,
    )
)
def test_integer_and_text_ids_give_the_same_summary(rows) -> None:
    start = day("2026-01-01")
    dates = [start + datetime.timedelta(days=row[1]) for row in rows]
    amounts = [row[2] for row in rows]
    options = {"calibration_end": day("2026-03-01"), "holdout_end": day("2026-04-15")}
    by_number = summarise_transactions(
        np.array([row[0] for row in rows], dtype=np.int64), dates, amounts, **options
    )
    by_text = summarise_transactions([f"c{row[0]:+04d}" for row in rows], dates, amounts, **options)
    order = np.argsort(by_number.customer_ids)
    text_order = np.argsort([int(text[1:]) for text in by_text.customer_ids])
    for name in ("frequency", "recency", "age", "monetary", "holdout_frequency"):
        assert np.array_equal(getattr(by_number, name)[order], getattr(by_text, name)[text_order])
    assert by_number.notes == by_text.notes
    assert np.all(by_number.recency <= by_number.age)
    assert np.all(by_number.frequency >= 0)
