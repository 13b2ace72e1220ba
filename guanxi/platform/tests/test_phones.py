"""Phone normalisation to E.164 and PIPL-style masking of phones and e-mails."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.customers.masking import emails_for, phones_for
from guanxi.platform.phones import (
    InvalidPhone,
    display_phone,
    mask_email,
    mask_phone,
    national_digits,
    normalize_phone,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("0086 138 1234 5678", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),  # full-width digits
        ("＋８６ １３８ １２３４ ５６７８", "+8613812345678"),
        ("  13812345678  ", "+8613812345678"),
        ("(010) 6552 9988", "+861065529988"),
        ("010-65529988", "+861065529988"),
        ("021 6888 1234", "+862168881234"),
        ("+1 415 555 0100", "+14155550100"),
        ("+852 2123 4567", "+85221234567"),
        ("010-65529988 ext. 123", "+861065529988;ext=123"),
    ],
)
def test_normalize_phone(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "12345", "110", "abc", "1381234567", "138123456789", "+86", "++86138", "电话"],
)
def test_invalid_phones_raise_invalid_phone(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_national_and_display_forms():
    assert national_digits("+8613812345678") == "13812345678"
    assert national_digits("+861065529988;ext=12") == "1065529988"
    assert display_phone("+8613812345678") == "13812345678"
    assert display_phone("+14155550100") == "+1 415-555-0100"


@pytest.mark.parametrize(
    ("e164", "masked"),
    [
        ("+8613812345678", "138****5678"),
        ("+861065529988", "106***9988"),
        ("+14155550100", "+14*******0100"),
    ],
)
def test_mask_phone(e164, masked):
    assert mask_phone(e164) == masked


def test_mask_phone_never_shows_the_middle_digits():
    masked = mask_phone("+8613812345678")
    assert "1234" not in masked and masked.endswith("5678") and masked.startswith("138")


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhangsan@example.com", "z***@example.com"),
        ("a@qq.com", "a***@qq.com"),
        ("not-an-email", "***"),
        ("", "***"),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


def test_masking_follows_the_contact_details_permission(org):
    phones, emails = ["+8613812345678"], ["zhangsan@example.com"]
    assert phones_for(org.east_rep, phones) == ["13812345678"]
    assert emails_for(org.east_rep, emails) == emails
    assert phones_for(org.service_agent, phones) == ["138****5678"]
    assert emails_for(org.service_agent, emails) == ["z***@example.com"]
    assert phones_for(org.east_rep, phones, full=False) == ["138****5678"]


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_normalize_phone_raises_nothing_but_invalid_phone(text):
    try:
        e164 = normalize_phone(text)
    except InvalidPhone:
        return
    assert e164.startswith("+")
    assert normalize_phone(e164) == e164  # idempotent
    mask_phone(e164)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\+?[0-9 ()\-]{0,20}", fullmatch=True))
def test_normalize_phone_on_phone_shaped_text(text):
    try:
        e164 = normalize_phone(text)
    except InvalidPhone:
        return
    assert national_digits(e164).isdigit()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_mask_email_never_raises_and_hides_the_local_part(text):
    masked = mask_email(text)
    local, _sep, domain = text.partition("@")
    # Only the first character of the local part survives (a local part made of
    # stars, like "0*", can still *look* like its mask, so compare the shape).
    assert masked == (f"{local[:1]}***@{domain}" if domain else "***")


@settings(max_examples=500, deadline=None)
@given(
    tail=st.integers(0, 10**10 - 1),
    style=st.sampled_from(["{d}", "+86{d}", "+86 {d}", "{a} {b} {c}", "{a}-{b}-{c}"]),
)
def test_the_mobile_fast_path_agrees_with_phonenumbers(tail: int, style: str) -> None:
    """normalize_phone skips the full parse for plain mainland mobiles; same answers."""
    import phonenumbers

    number = f"1{tail:010d}"
    typed = style.format(d=number, a=number[:3], b=number[3:7], c=number[7:])
    parsed = phonenumbers.parse(number, "CN")
    expected = f"+86{number}" if phonenumbers.is_valid_number(parsed) else None
    try:
        got = normalize_phone(typed)
    except InvalidPhone:
        got = None
    assert got == expected
