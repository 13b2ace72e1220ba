"""Turn a transaction log into the per-customer summary the CLV models need.

For each customer who bought at least once by the calibration end:

- frequency x: the number of *repeat* purchase days in the calibration period
  (purchases on the same day are merged into one, as Fader, Hardie & Lee do for CDNOW);
- recency t_x: time from the first purchase to the last one in the period;
- age T: time from the first purchase to the calibration end;
- monetary value: the mean amount of the repeat purchase days (0 with no repeats);
  the first purchase is left out, as in the Gamma-Gamma papers;
- holdout frequency: purchase days after the calibration end up to the holdout end.

Times are in `time_unit` (days, weeks, or months of 365.25/12 days). Everything is
vectorised with numpy: 10,000,000 transactions summarise in a few seconds.

Bad input and what is done with it (counted in `Summary.notes`):
- a day whose merged amount is negative (a refund larger than what was bought that
  day) is not a purchase and is dropped;
- zero-value purchases stay purchases (CDNOW has some) but add 0 to the spend;
- transactions after the last date of interest (holdout end, else calibration end),
  such as orders dated in the future, are ignored;
- customers whose first purchase is after the calibration end are not in the
  calibration cohort and are left out.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

TIME_UNITS: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}


@dataclass(frozen=True)
class Summary:
    customer_ids: np.ndarray
    frequency: np.ndarray  # float64, whole numbers
    recency: np.ndarray
    age: np.ndarray
    monetary: np.ndarray
    time_unit: str
    calibration_end: datetime.date
    holdout_end: datetime.date | None = None
    holdout_frequency: np.ndarray | None = None
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def customers(self) -> int:
        return int(self.frequency.size)

    @property
    def repeat_buyers(self) -> int:
        return int(np.count_nonzero(self.frequency > 0))

    @property
    def holdout_length(self) -> float | None:
        """Length of the holdout period in the summary's time unit."""
        if self.holdout_end is None:
            return None
        days = (self.holdout_end - self.calibration_end).days
        return days / TIME_UNITS[self.time_unit]


def summarise_transactions(
    customer_ids: Sequence[Any] | np.ndarray,
    dates: Sequence[datetime.date] | np.ndarray,
    amounts: Sequence[float] | np.ndarray,
    *,
    calibration_end: datetime.date,
    holdout_end: datetime.date | None = None,
    time_unit: str = "weeks",
) -> Summary:
    """Summarise transactions (any order) into frequency/recency/age/monetary arrays.

    `dates` are `datetime.date`s or a numpy datetime64 array; `amounts` numbers
    (Decimals are converted to float: model input, not bookkeeping).
    """
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNITS)}")
    if holdout_end is not None and holdout_end <= calibration_end:
        raise ValueError("holdout_end must be after calibration_end")
    unit = TIME_UNITS[time_unit]
    ids = np.asarray(customer_ids)
    days = _as_day_numbers(dates)
    values = np.asarray(amounts, dtype=np.float64)
    if not (ids.shape[0] == days.shape[0] == values.shape[0]):
        raise ValueError("customer_ids, dates and amounts must have the same length")
    notes = {
        "transactions": int(days.size),
        "same_day_merged": 0,
        "refund_days_dropped": 0,
        "after_last_date_ignored": 0,
        "first_purchase_after_calibration": 0,
    }
    calibration_day = _day_number(calibration_end)
    last_day = _day_number(holdout_end) if holdout_end is not None else calibration_day
    is_in_range = days <= last_day
    notes["after_last_date_ignored"] = int(days.size - np.count_nonzero(is_in_range))
    ids, days, values = ids[is_in_range], days[is_in_range], values[is_in_range]

    codes, code_count, id_of_code = _customer_codes(ids)
    del ids
    # One row per (customer, day): sort by the combined key, sum amounts per key.
    first_day = int(days.min()) if days.size else 0
    span = int(days.max()) - first_day + 1 if days.size else 1
    keys = codes * span + (days - first_day)
    del codes, days
    order = np.argsort(keys)
    keys = keys[order]
    values = values[order]
    del order
    starts, _lengths = _runs(keys)
    merged_keys = keys[starts]
    merged_amounts = np.add.reduceat(values, starts) if starts.size else np.zeros(0)
    notes["same_day_merged"] = int(keys.size - merged_keys.size)
    del keys, values, starts
    is_purchase = merged_amounts >= 0
    notes["refund_days_dropped"] = int(merged_keys.size - np.count_nonzero(is_purchase))
    merged_keys, merged_amounts = merged_keys[is_purchase], merged_amounts[is_purchase]
    merged_codes = merged_keys // span
    merged_days = merged_keys % span + first_day

    is_calibration = merged_days <= calibration_day
    cal_codes = merged_codes[is_calibration]
    cal_days = merged_days[is_calibration]
    cal_amounts = merged_amounts[is_calibration]
    # Rows are sorted by (customer, day): each customer's first row is its first purchase.
    first_index, counts = _runs(cal_codes)
    cohort = cal_codes[first_index]
    last_index = first_index + counts - 1
    notes["first_purchase_after_calibration"] = int(_runs(merged_codes)[0].size - cohort.size)
    frequency = (counts - 1).astype(np.float64)
    first_purchase = cal_days[first_index]
    recency = (cal_days[last_index] - first_purchase) / unit
    age = (calibration_day - first_purchase) / unit
    totals = np.add.reduceat(cal_amounts, first_index) if cal_amounts.size else np.zeros(0)
    repeat_spend = totals - cal_amounts[first_index]
    monetary = np.divide(
        repeat_spend, frequency, out=np.zeros_like(repeat_spend), where=frequency > 0
    )

    holdout_frequency = None
    if holdout_end is not None:
        holdout_codes = merged_codes[~is_calibration]
        per_code = np.bincount(holdout_codes, minlength=code_count)
        holdout_frequency = per_code[cohort].astype(np.float64)

    return Summary(
        customer_ids=id_of_code(cohort),
        frequency=frequency,
        recency=recency.astype(np.float64),
        age=age.astype(np.float64),
        monetary=monetary,
        time_unit=time_unit,
        calibration_end=calibration_end,
        holdout_end=holdout_end,
        holdout_frequency=holdout_frequency,
        notes=notes,
    )


def _runs(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in a sorted array (np.unique
    without its hash table or sort: the input is sorted already)."""
    if not sorted_values.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    is_new = np.ones(sorted_values.size, dtype=bool)
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=is_new[1:])
    starts = np.flatnonzero(is_new)
    return starts, np.diff(np.append(starts, sorted_values.size))


def _customer_codes(ids: np.ndarray) -> tuple[np.ndarray, int, Any]:
    """0-based int64 codes for the customer ids, how many codes, and code → id.

    Integer ids (primary keys, the nightly job's case) are offset, not sorted: a sort
    of 10,000,000 ids is the slowest step otherwise. Other ids (the CLI's strings)
    go through np.unique."""
    if ids.size and np.issubdtype(ids.dtype, np.integer):
        low = int(ids.min())
        codes = ids.astype(np.int64) - low
        return codes, int(codes.max()) + 1, lambda cohort: cohort + low
    unique_ids, inverse = np.unique(ids, return_inverse=True)
    return (
        inverse.reshape(-1).astype(np.int64),
        int(unique_ids.size),
        lambda cohort: unique_ids[cohort],
    )


def _day_number(value: datetime.date) -> int:
    return value.toordinal()


def _as_day_numbers(dates: Sequence[datetime.date] | np.ndarray) -> np.ndarray:
    if isinstance(dates, np.ndarray) and np.issubdtype(dates.dtype, np.datetime64):
        epoch = datetime.date(1970, 1, 1).toordinal()
        return dates.astype("datetime64[D]").astype(np.int64) + epoch
    if isinstance(dates, np.ndarray) and np.issubdtype(dates.dtype, np.integer):
        return dates.astype(np.int64)
    return np.fromiter(
        (
            (value.date() if isinstance(value, datetime.datetime) else value).toordinal()
            for value in dates
        ),
        dtype=np.int64,
        count=len(dates),
    )
