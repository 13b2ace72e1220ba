"""Validation shared by the customer, contact and interaction services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.phones import INVALID_PHONE, InvalidPhone, normalize_phone
from guanxi.platform.text import sanitize_html

INVALID_INPUT = _("Please correct the errors below.")
NOT_ALLOWED = _("You do not have permission to do this.")
INVALID_EMAIL = _("“%(value)s” is not a valid e-mail address.")
TOO_MANY_VALUES = _("At most %(max)s values.")
INVALID_LUNAR_DATE = _("Enter a lunar month 1–12 and day 1–30.")
INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
INVALID_DATETIME = _("Enter a date and time as YYYY-MM-DD HH:MM.")
INVALID_TIME_ZONE = _("Choose a time zone such as Asia/Shanghai.")
NOTES_MAX_LENGTH = 20000
MAX_PHONES = 10
MAX_EMAILS = 10


def require_permission(actor: Any, code: str) -> None:
    if not has_permission(actor, code):
        raise PermissionDenied(str(NOT_ALLOWED))


def as_list(value: Any) -> list[str]:
    """Accept a list, or text with one value per line / separated by , ; ，；、"""
    if value is None:
        return []
    if isinstance(value, str):
        for separator in ["\n", ",", ";", "，", "；", "、"]:
            value = value.replace(separator, "\n")
        return [v.strip() for v in value.split("\n") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()]


def clean_phones(value: Any, errors: dict[str, list[str]], field: str = "phones") -> list[str]:
    phones: list[str] = []
    for raw in as_list(value):
        try:
            phones.append(normalize_phone(raw))
        except InvalidPhone:
            errors.setdefault(field, []).append(str(INVALID_PHONE) % {"value": raw[:50]})
    if len(phones) > MAX_PHONES:
        errors.setdefault(field, []).append(str(TOO_MANY_VALUES) % {"max": MAX_PHONES})
    return list(dict.fromkeys(phones))


def clean_emails(value: Any, errors: dict[str, list[str]], field: str = "emails") -> list[str]:
    emails: list[str] = []
    for raw in as_list(value):
        email = raw.strip()
        try:
            if len(email) > 254:
                raise DjangoValidationError("too long")
            validate_email(email)
        except DjangoValidationError:
            errors.setdefault(field, []).append(str(INVALID_EMAIL) % {"value": email[:60]})
            continue
        local, _sep, domain = email.rpartition("@")
        emails.append(f"{local}@{domain.lower()}")
    if len(emails) > MAX_EMAILS:
        errors.setdefault(field, []).append(str(TOO_MANY_VALUES) % {"max": MAX_EMAILS})
    return list(dict.fromkeys(emails))


def clean_notes(value: Any, errors: dict[str, list[str]], field: str = "notes") -> str:
    text = sanitize_html(str(value or ""))
    if len(text) > NOTES_MAX_LENGTH:
        errors.setdefault(field, []).append(
            str(_("At most %(max)s characters.")) % {"max": NOTES_MAX_LENGTH}
        )
    return text


def coerce_model_value(
    instance: models.Model, name: str, value: Any, errors: dict[str, list[str]]
) -> Any:
    """Bring a plain field's raw value to the type the rest of the service expects.

    Text fields get a stripped str (None -> ""), so pinyin and search tokens can be
    built before model validation; date fields get a date or a field error. Other
    types are left to `full_clean`.
    """
    field = instance._meta.get_field(name)
    if isinstance(field, models.CharField | models.TextField):
        if value is None:
            return ""
        # PostgreSQL refuses NUL in text; nobody means to type one.
        return (value if isinstance(value, str) else str(value)).replace("\x00", "").strip()
    if isinstance(field, models.DateTimeField):
        # Django parses text and dates; anything else would crash inside to_python.
        if value is None or isinstance(value, str | dt.date):
            return value
        errors.setdefault(name, []).append(str(INVALID_DATETIME))
        return None
    if isinstance(field, models.DateField):
        try:
            return coerce_date(value)
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(str(INVALID_DATE))
            return None
    return value


def clean_time_zone(instance: Any, errors: dict[str, list[str]]) -> None:
    try:
        ZoneInfo(instance.time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        errors.setdefault("time_zone", []).append(str(INVALID_TIME_ZONE))


def _as_small_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def clean_lunar_birthday(instance: Any, errors: dict[str, list[str]]) -> None:
    if instance.birthday_calendar != "lunar":
        instance.lunar_birthday_month = None
        instance.lunar_birthday_day = None
        instance.lunar_birthday_is_leap_month = False
        return
    month, day = instance.lunar_birthday_month, instance.lunar_birthday_day
    if month in (None, "") and day in (None, "") and isinstance(instance.birthday, dt.date):
        from lunar_python import Solar

        lunar = Solar.fromYmd(
            instance.birthday.year, instance.birthday.month, instance.birthday.day
        ).getLunar()
        instance.lunar_birthday_month = abs(lunar.getMonth())
        instance.lunar_birthday_day = lunar.getDay()
        instance.lunar_birthday_is_leap_month = lunar.getMonth() < 0
        return
    month, day = _as_small_int(month), _as_small_int(day)
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 30):
        errors.setdefault("lunar_birthday_month", []).append(str(INVALID_LUNAR_DATE))
        instance.lunar_birthday_month = instance.lunar_birthday_day = None
        return
    instance.lunar_birthday_month, instance.lunar_birthday_day = month, day


def full_clean_into(
    instance: models.Model, errors: dict[str, list[str]], *, exclude: list[str] | None = None
) -> None:
    """Run model validation, merging its messages into `errors`; raise if any."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(str(m) for m in messages)
    _check_date_ranges(instance, errors)
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
DATE_OUT_OF_RANGE = _("Enter a date between %(earliest)s and %(latest)s.")


def _check_date_ranges(instance: models.Model, errors: dict[str, list[str]]) -> None:
    """Years like 0001 or 9999 are typos, and cannot be stored once converted to UTC."""
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.DateField) or field.name in errors:
            continue  # DateTimeField is a DateField too
        value = getattr(instance, field.attname)
        if isinstance(value, dt.date) and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            message = str(DATE_OUT_OF_RANGE) % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
            errors[field.name] = [message]


def coerce_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
