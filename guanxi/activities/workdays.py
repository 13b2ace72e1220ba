"""Working days in China: public holidays and make-up working days (调休上班).

The one helper for due-date arithmetic (STYLE.md rule 19). chinese-calendar holds the
State Council's published schedule, which only reaches the years already announced;
outside them we fall back to Monday–Friday and log a warning once per year, so a
due date in 2031 is still computed (and later corrected by a library upgrade).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import chinese_calendar
from django.utils import translation

logger = logging.getLogger(__name__)

MAX_WORKING_DAYS = 3660
_warned_years: set[int] = set()


@dataclass(frozen=True)
class DayInfo:
    """What a calendar shows on a day: off (holiday or weekend) or working, and why."""

    day: dt.date
    is_working_day: bool
    holiday_name: str  # "国庆节" on a holiday and on its make-up working day, else ""
    is_holiday: bool  # a public holiday (not just a weekend)
    is_makeup_workday: bool  # a weekend day that is a working day (调休上班)
    is_known: bool  # False outside chinese-calendar's years (Mon–Fri fallback)


def _fallback(day: dt.date) -> bool:
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        logger.warning(
            "chinese-calendar has no holiday data for %s; counting Monday to Friday as "
            "working days. Upgrade chinese-calendar when the State Council publishes it.",
            day.year,
        )
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    """Chinese public holidays and make-up working days (调休); Mon–Fri outside the
    years chinese-calendar knows."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return _fallback(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    return working_days_after(day, 1)


def working_days_after(start: dt.date, days: int) -> dt.date:
    """The date `days` working days strictly after `start` ("in 3 working days").

    `days` = 0 gives `start` itself when it is a working day, else the next one.
    """
    if days < 0 or days > MAX_WORKING_DAYS:
        raise ValueError("days out of range")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def _localised(english: str) -> str:
    """chinese-calendar carries both names; show the Chinese one in Chinese."""
    language = (translation.get_language() or "").lower()
    if language.startswith("zh"):
        for holiday in chinese_calendar.Holiday:
            if holiday.value == english:
                return str(holiday.chinese)
    return english


def holiday_name(day: dt.date) -> str:
    """The public holiday on `day` (or whose make-up working day it is), else ""."""
    try:
        _is_off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return _localised(name) if name else ""


def day_info(day: dt.date) -> DayInfo:
    try:
        is_off, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        working = _fallback(day)
        return DayInfo(day, working, "", False, False, is_known=False)
    is_weekend = day.weekday() >= 5
    return DayInfo(
        day=day,
        is_working_day=not is_off,
        holiday_name=_localised(name) if name else "",
        is_holiday=bool(is_off and name),
        is_makeup_workday=bool(not is_off and is_weekend),
        is_known=True,
    )
