"""The "in N working days" helper against chinese-calendar's holidays and make-up days."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.activities.workdays import is_working_day, working_days_after

KNOWN = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2026, 11, 30))


@settings(max_examples=300, deadline=None)
@given(start=KNOWN, days=st.integers(min_value=1, max_value=30))
def test_result_is_a_working_day_n_working_days_strictly_after(start: dt.date, days: int) -> None:
    due = working_days_after(start, days)
    assert due > start
    assert is_working_day(due)
    between = [start + dt.timedelta(days=offset) for offset in range(1, (due - start).days + 1)]
    assert sum(is_working_day(day) for day in between) == days


@settings(max_examples=200, deadline=None)
@given(start=KNOWN)
def test_zero_days_is_the_same_or_next_working_day(start: dt.date) -> None:
    due = working_days_after(start, 0)
    assert due >= start
    assert is_working_day(due)
    assert not any(is_working_day(start + dt.timedelta(days=d)) for d in range((due - start).days))


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=dt.date(2030, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_outside_the_calendar_weekdays_count(start: dt.date) -> None:
    due = working_days_after(start, 5)
    assert due.weekday() < 5
    assert (due - start).days in (5, 6, 7)


def test_national_day_2026_and_its_make_up_saturday() -> None:
    # 2026: 1–7 October off; Saturday 10 October is a make-up working day.
    assert not chinese_calendar.is_workday(dt.date(2026, 10, 1))
    assert chinese_calendar.is_workday(dt.date(2026, 10, 10))
    assert working_days_after(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert working_days_after(dt.date(2026, 9, 29), 3) == dt.date(2026, 10, 9)
    assert working_days_after(dt.date(2026, 10, 8), 2) == dt.date(2026, 10, 10)
    assert working_days_after(dt.date(2026, 10, 3), 0) == dt.date(2026, 10, 8)


def test_spring_festival_is_skipped() -> None:
    due = working_days_after(dt.date(2026, 2, 13), 1)
    assert due > dt.date(2026, 2, 13)
    assert is_working_day(due)
    assert not is_working_day(dt.date(2026, 2, 17))  # 春节 (初一)


@pytest.mark.parametrize("days", [-1, 3661])
def test_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(ValueError):
        working_days_after(dt.date(2026, 1, 5), days)


def test_old_import_path_still_works() -> None:
    from guanxi.activities import services

    assert services.working_days_after is working_days_after
    assert services.is_working_day is is_working_day


def test_next_working_day_and_holiday_names() -> None:
    from django.utils import translation

    from guanxi.activities.workdays import day_info, holiday_name, next_working_day

    assert next_working_day(dt.date(2026, 9, 30)) == dt.date(2026, 10, 8)
    assert next_working_day(dt.date(2026, 10, 9)) == dt.date(2026, 10, 10)  # make-up Saturday
    with translation.override("zh-hans"):
        assert holiday_name(dt.date(2026, 10, 1)) == "国庆节"
        saturday = day_info(dt.date(2026, 10, 10))
        assert saturday.is_makeup_workday and saturday.holiday_name == "国庆节"
        assert saturday.is_working_day and not saturday.is_holiday
    with translation.override("en"):
        assert holiday_name(dt.date(2026, 10, 1)) == "National Day"
    assert holiday_name(dt.date(2026, 10, 12)) == ""
    national = day_info(dt.date(2026, 10, 1))
    assert national.is_holiday and not national.is_working_day


def test_years_without_data_fall_back_to_weekdays_with_a_warning(caplog) -> None:
    from guanxi.activities import workdays

    workdays._warned_years.discard(2035)
    with caplog.at_level("WARNING", logger="guanxi.activities.workdays"):
        assert workdays.is_working_day(dt.date(2035, 10, 1))  # a Monday, no data
        assert not workdays.is_working_day(dt.date(2035, 10, 6))  # Saturday
        assert workdays.next_working_day(dt.date(2035, 10, 5)) == dt.date(2035, 10, 8)
    assert [r for r in caplog.records if "2035" in r.getMessage()]
    assert len([r for r in caplog.records if "2035" in r.getMessage()]) == 1  # once per year
    info = workdays.day_info(dt.date(2035, 10, 1))
    assert not info.is_known and info.holiday_name == "" and info.is_working_day
    assert workdays.holiday_name(dt.date(2035, 10, 1)) == ""
