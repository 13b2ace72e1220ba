"""Phone numbers: parse to E.164 (region CN by default) and mask for display."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guanxi.platform.text import fold_width

INVALID_PHONE = _("“%(value)s” is not a valid phone number.")


class InvalidPhone(ValueError):
    pass


# A mainland mobile typed plainly: 13812345678, 138 1234 5678, 138-1234-5678, +86 138…
_CN_MOBILE_TYPED = re.compile(r"(?:\+86[ -]?)?(1\d\d)[ -]?(\d{4})[ -]?(\d{4})")


@lru_cache(maxsize=20_000)
def _is_cn_mobile_block_valid(first_five: str) -> bool:
    """Whether phonenumbers accepts mainland mobiles starting with these five digits.

    Its metadata decides a mobile's validity by the first five digits (the rest is
    any six digits), so one parse per block answers for every number in it;
    tests compare this with phonenumbers on random numbers.
    """
    number = phonenumbers.parse(f"+86{first_five}000000", None)
    return phonenumbers.is_valid_number(number)


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """Return the E.164 form of `raw` (extension kept as ";ext=N") or raise InvalidPhone."""
    text = fold_width(raw or "").strip()
    if not text:
        raise InvalidPhone(raw)
    region = region or settings.GUANXI["DEFAULT_PHONE_REGION"]
    # Fast path for the most common case (imports of a million rows parse each
    # number twice); anything else, or an invalid block, takes the full parse.
    mobile = _CN_MOBILE_TYPED.fullmatch(text)
    if mobile and (region == "CN" or text.startswith("+86")):
        digits = "".join(mobile.groups())
        if _is_cn_mobile_block_valid(digits[:5]):
            return f"+86{digits}"
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(raw) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        e164 = f"{e164};ext={number.extension}"
    return e164


def national_digits(e164: str) -> str:
    """The national significant number: "+8613812345678" -> "13812345678"."""
    base = e164.split(";", 1)[0]
    if base.startswith("+86") and base[3:].isascii() and base[3:].isdigit():
        return base[3:]  # what phonenumbers returns for China, without its parse (exports)
    try:
        number = phonenumbers.parse(base, None)
    except phonenumbers.NumberParseException:
        return "".join(c for c in base if c.isdigit())
    return phonenumbers.national_significant_number(number)


def display_phone(e164: str) -> str:
    """How a number is shown: national digits for Chinese numbers, else international."""
    if e164.startswith("+86"):
        return national_digits(e164)
    base = e164.split(";", 1)[0]
    try:
        number = phonenumbers.parse(base, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """138****5678: keep the first 3 and last 4 digits, as PIPL practice expects."""
    digits = display_phone(e164).replace(" ", "")
    if len(digits) <= 7:
        return digits[:1] + "*" * max(len(digits) - 2, 1) + digits[-1:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_email(email: str) -> str:
    """z***@example.com: first letter of the local part, the domain kept."""
    local, _sep, domain = (email or "").partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"
