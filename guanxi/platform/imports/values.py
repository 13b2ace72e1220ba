"""Parsers for what people type into spreadsheets.

Each raises ImportValueError (a ValueError) whose message is fit for the user.
Date rules: a leading 4-digit year means Y/M/D (2024/3/5, 2024-03-05, 2024年3月5日,
2024.3.5, 20240305); a trailing year means M/D/Y as English CRMs export it
(3/5/2024 = 5 March) unless the first number is above 12, then D/M/Y (25/3/2024).
A bare number between 1 and 2958465 is an Excel day serial (45321 = 2024-01-30).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from guanxi.platform.phones import InvalidPhone, normalize_phone
from guanxi.platform.text import fold_width

EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
AMOUNT_UNITS = {"万": Decimal(10000), "千": Decimal(1000), "亿": Decimal(100000000)}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "对", "有", "√", "t"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "无", "没有", "×", "f"}


class ImportValueError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(value: Any) -> str:
    if type(value) is str:  # nearly every cell (CSV): the one test that matters first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = fold_width(clean_text(value))
    error = ImportValueError(_("“%(value)s” is not a date.") % {"value": text[:40]})
    if not text:
        raise error
    text = text.split(" ")[0].split("T")[0]
    try:
        if re.fullmatch(r"\d+(\.0+)?", text) and len(text.split(".")[0]) != 8:
            serial = int(text.split(".")[0])
            if 1 <= serial <= MAX_EXCEL_SERIAL:
                return EXCEL_EPOCH + datetime.timedelta(days=serial)
            raise error
        if re.fullmatch(r"\d{8}", text):
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
        if match:
            first, second, year = (int(part) for part in match.groups())
            month, day = (first, second) if first <= 12 else (second, first)
            return datetime.date(year, month, day)
    except (ValueError, OverflowError):
        raise error from None
    raise error


def parse_amount(value: Any) -> Decimal:
    """¥1,234.50, 1234元, 1.2万, 3千, （500）, -1 234 → Decimal."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        text = fold_width(clean_text(value))
    error = ImportValueError(_("“%(value)s” is not an amount.") % {"value": text[:40]})
    text = re.sub(r"(?i)^(rmb|cny)|(rmb|cny)$", "", text.strip()).strip()
    text = text.replace("¥", "").replace("￥", "").replace("元", "").replace(",", "")
    text = text.replace(" ", "").replace("\u00a0", "")
    is_negative = text.startswith("(") and text.endswith(")")
    if is_negative:
        text = text[1:-1]
    multiplier = Decimal(1)
    while text and text[-1] in AMOUNT_UNITS:
        multiplier *= AMOUNT_UNITS[text[-1]]
        text = text[:-1]
    if not re.fullmatch(r"[-+]?\d+(\.\d+)?", text or ""):
        raise error
    try:
        amount = Decimal(text) * multiplier
    except InvalidOperation:
        raise error from None
    if abs(amount) >= Decimal(10) ** 15:
        raise ImportValueError(_("“%(value)s” is too large.") % {"value": text[:40]})
    return -amount if is_negative else amount


_EXTENSION = re.compile(r"(?i)\s*(转|分机|ext\.?|x)\s*(\d+)$")


def parse_phone(value: Any) -> str:
    text = clean_text(value)
    if "x" in text or "X" in text or "转" in text or "分机" in text:  # else nothing to match
        text = _EXTENSION.sub(r" ext. \2", text)
    try:
        return normalize_phone(text)
    except InvalidPhone:
        raise ImportValueError(
            _("“%(value)s” is not a valid phone number.") % {"value": text[:40]}
        ) from None


def parse_phones(value: Any) -> list[str]:
    return [parse_phone(part) for part in _split_list(value)]


# Plain ASCII addresses that Django's validate_email accepts (a strict subset of its
# dot-atom user part and domain rules): checked by one regex instead of its several.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.IGNORECASE | re.ASCII,
)


def parse_email(value: Any) -> str:
    text = fold_width(clean_text(value)).strip().strip("<>")
    try:
        if len(text) > 254:
            raise DjangoValidationError("too long")
        if not _PLAIN_EMAIL.fullmatch(text):
            validate_email(text)
    except DjangoValidationError:
        raise ImportValueError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": text[:60]}
        ) from None
    local, _sep, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_emails(value: Any) -> list[str]:
    return [parse_email(part) for part in _split_list(value)]


def parse_bool(value: Any) -> bool:
    text = fold_width(clean_text(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ImportValueError(_("“%(value)s” is not yes or no (是/否).") % {"value": text[:20]})


def parse_list(value: Any) -> list[str]:
    return _split_list(value)


def _split_list(value: Any) -> list[str]:
    text = clean_text(value)
    return [part.strip() for part in re.split(r"[;；,，、/\n]+", text) if part.strip()]


class OwnerLookup:
    """Users by username or display name, loaded once per import (active users only)."""

    def __init__(self) -> None:
        from guanxi.accounts.models import User

        self.by_key: dict[str, Any] = {}
        ambiguous: set[str] = set()
        for user in User.objects.filter(is_active=True).only("pk", "username", "display_name"):
            for key in {user.username.lower(), (user.display_name or "").strip().lower()}:
                if not key:
                    continue
                if key in self.by_key and self.by_key[key].pk != user.pk:
                    ambiguous.add(key)
                self.by_key[key] = user
        for key in ambiguous:
            self.by_key.pop(key, None)
        self.ambiguous = ambiguous

    def resolve(self, value: Any) -> Any:
        key = fold_width(clean_text(value)).lower()
        if key in self.ambiguous:
            raise ImportValueError(
                _("Several users are called “%(value)s”; use the username.") % {"value": key}
            )
        user = self.by_key.get(key)
        if user is None:
            raise ImportValueError(_("No active user “%(value)s”.") % {"value": key[:40]})
        return user
