"""Parsers for typed values: examples and property tests."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guanxi.platform.imports.values import (
    ImportValueError,
    parse_amount,
    parse_bool,
    parse_date,
    parse_email,
    parse_phone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024/3/5", datetime.date(2024, 3, 5)),
        ("2024-03-05", datetime.date(2024, 3, 5)),
        ("2024年3月5日", datetime.date(2024, 3, 5)),
        ("２０２４年３月５日", datetime.date(2024, 3, 5)),
        ("2024.3.5", datetime.date(2024, 3, 5)),
        ("20240305", datetime.date(2024, 3, 5)),
        ("3/5/2024", datetime.date(2024, 3, 5)),
        ("25/3/2024", datetime.date(2024, 3, 25)),
        ("45321", datetime.date(2024, 1, 30)),
        ("2024-03-05 10:30:00", datetime.date(2024, 3, 5)),
        (datetime.datetime(2024, 3, 5, 9), datetime.date(2024, 3, 5)),
    ],
)
def test_dates(text: object, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "明天", "2024/13/40", "2024-02-30", "99999999999"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ImportValueError, match="not a date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,234.50", Decimal("1234.50")),
        ("1234元", Decimal("1234")),
        ("1.2万", Decimal("12000")),
        ("3千", Decimal("3000")),
        ("１，２３４", Decimal("1234")),
        ("(500)", Decimal("-500")),
        ("-12.5", Decimal("-12.5")),
        ("RMB 88", Decimal("88")),
    ],
)
def test_amounts(text: str, expected: Decimal) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "万", "NaN", "Infinity"])
def test_bad_amounts(text: str) -> None:
    with pytest.raises(ImportValueError):
        parse_amount(text)


def test_phones_emails_booleans() -> None:
    assert parse_phone("138 1234 5678") == "+8613812345678"
    assert parse_phone("+86 138-1234-5678") == "+8613812345678"
    assert parse_phone("010-12345678 转 8") == "+861012345678;ext=8"
    with pytest.raises(ImportValueError, match="not a valid phone"):
        parse_phone("12345")
    assert parse_email(" Zhang@Example.COM ") == "Zhang@example.com"
    with pytest.raises(ImportValueError, match="not a valid e-mail"):
        parse_email("zhang@")
    assert parse_bool("是") is True and parse_bool("N") is False and parse_bool("true") is True
    with pytest.raises(ImportValueError):
        parse_bool("也许")


@given(st.text(max_size=40))
def test_no_parser_crashes_on_any_text(text: str) -> None:
    for parser in (parse_date, parse_amount, parse_bool, parse_email):
        with contextlib.suppress(ImportValueError):
            parser(text)


@given(st.dates(min_value=datetime.date(1000, 1, 1)))
def test_dates_round_trip(value: datetime.date) -> None:
    assert parse_date(value.isoformat()) == value
    assert parse_date(f"{value.year}年{value.month}月{value.day}日") == value
    assert parse_date(f"{value.year}/{value.month}/{value.day}") == value


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_amounts_round_trip(value: Decimal) -> None:
    assert parse_amount(f"{value:,}") == value
    assert parse_amount(f"¥{value}") == value
    assert parse_amount(f"{value}元") == value
