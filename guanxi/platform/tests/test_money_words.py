"""大写金额: a table of known values, and every amount parses back to itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.platform.money_words import amount_in_chinese_capitals

KNOWN = [
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.5", "伍角整"),
    ("0.55", "伍角伍分"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("10.05", "壹拾元零伍分"),
    ("12.30", "壹拾贰元叁角整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("1001", "壹仟零壹元整"),
    ("1010.10", "壹仟零壹拾元壹角整"),
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("100000", "壹拾万元整"),
    ("100010", "壹拾万零壹拾元整"),
    ("10001000", "壹仟万壹仟元整"),
    ("20000000", "贰仟万元整"),
    ("100000001", "壹亿零壹元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("1000010000", "壹拾亿零壹万元整"),
    ("2000300000000", "贰万零叁亿元整"),
    ("1200000000000", "壹万贰仟亿元整"),
    ("-3.5", "负叁元伍角整"),
    ("-1001.01", "负壹仟零壹元零壹分"),
    ("1.005", "壹元零壹分"),  # rounded half up to cents first
    (
        "9999999999999999.99",
        "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
]


@pytest.mark.parametrize(("amount", "words"), KNOWN)
def test_known_values(amount: str, words: str) -> None:
    assert amount_in_chinese_capitals(Decimal(amount)) == words


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "10000000000000000"])
def test_refuses_what_it_cannot_write(bad: str) -> None:
    with pytest.raises(ValueError):
        amount_in_chinese_capitals(Decimal(bad))


_DIGIT_VALUES = {char: value for value, char in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_integer(words: str) -> int:
    """壹万零叁佰 → 10300: split on 亿 then 万, each side recursively (zeros carry no value)."""
    for unit, factor in (("亿", 10**8), ("万", 10**4)):
        if unit in words:
            high, _, low = words.rpartition(unit)
            return _parse_integer(high) * factor + _parse_integer(low)
    total = 0
    pending = 0
    for char in words:
        if char in _DIGIT_VALUES:
            pending = _DIGIT_VALUES[char]
        elif char in _SMALL:
            total += pending * _SMALL[char]
            pending = 0
        else:
            raise AssertionError(f"unexpected {char!r} in {words!r}")
    return total + pending


def parse_capitals(words: str) -> Decimal:
    """The inverse, written independently of the code under test (and strict about form)."""
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负")
    if words.endswith("整"):
        words = words[:-1]
        assert not words.endswith("分"), "no 整 after 分"
    yuan = 0
    if "元" in words:
        integer, _, words = words.partition("元")
        assert (integer and not integer.startswith("零")) or integer == "零", integer
        yuan = 0 if integer == "零" else _parse_integer(integer)
    cents = 0
    if words.startswith("零"):
        words = words[1:]
        assert words.endswith("分") and len(words) == 2, "零 only before a lone 分"
    if "角" in words:
        jiao, _, words = words.partition("角")
        cents += _DIGIT_VALUES[jiao] * 10
    if "分" in words:
        fen, _, words = words.partition("分")
        cents += _DIGIT_VALUES[fen]
    assert words == "", f"left over: {words!r}"
    return sign * (Decimal(yuan) + Decimal(cents) / 100)


@pytest.mark.parametrize(("amount", "words"), KNOWN[:-2] + KNOWN[-1:])
def test_parser_agrees_with_the_table(amount: str, words: str) -> None:
    assert parse_capitals(words) == Decimal(amount)


@settings(max_examples=500, deadline=None)
@given(
    st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1).map(
        lambda cents: Decimal(cents) / 100
    )
)
def test_round_trip(amount: Decimal) -> None:
    words = amount_in_chinese_capitals(amount)
    assert parse_capitals(words) == amount
    assert "零零" not in words
    assert not words.replace("整", "").endswith("零")
    assert "元零" not in words or words.endswith("分")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_round_numbers_have_no_zero(exponent: int, digit: int) -> None:
    """d × 10^n has no 零 at all (100000 → 壹拾万元整)."""
    amount = Decimal(digit) * Decimal(10) ** exponent
    if amount > Decimal("9999999999999999"):
        return
    words = amount_in_chinese_capitals(amount)
    assert "零" not in words
    assert parse_capitals(words) == amount
