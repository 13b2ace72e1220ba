"""Validating and converting values of admin-defined custom fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import CustomField, CustomFieldType

REQUIRED = _("This field is required.")
NOT_A_NUMBER = _("Enter a number.")
NOT_A_DATE = _("Enter a date as YYYY-MM-DD.")
UNKNOWN_CHOICE = _("“%(value)s” is not one of the choices.")
UNKNOWN_FIELD = _("There is no custom field “%(key)s”.")
TOO_LONG = _("At most %(max)s characters.")

TEXT_MAX_LENGTH = 1000


def _clean_one(definition: CustomField, raw: Any) -> Any:
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        value = str(raw).strip()
        if len(value) > TEXT_MAX_LENGTH:
            raise ValueError(str(TOO_LONG) % {"max": TEXT_MAX_LENGTH})
        return value
    if kind == CustomFieldType.NUMBER:
        if isinstance(raw, bool):
            raise ValueError(str(NOT_A_NUMBER))
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation as error:
            raise ValueError(str(NOT_A_NUMBER)) from error
        if not number.is_finite():
            raise ValueError(str(NOT_A_NUMBER))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == CustomFieldType.DATE:
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError as error:
            raise ValueError(str(NOT_A_DATE)) from error
    choices = [str(c) for c in definition.choices]
    if kind == CustomFieldType.CHOICE:
        value = str(raw).strip()
        if value not in choices:
            raise ValueError(str(UNKNOWN_CHOICE) % {"value": value})
        return value
    values = raw if isinstance(raw, list | tuple) else [raw]
    cleaned = []
    for item in values:
        value = str(item).strip()
        if value not in choices:
            raise ValueError(str(UNKNOWN_CHOICE) % {"value": value})
        cleaned.append(value)
    return list(dict.fromkeys(cleaned))


def _is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or raw == ()


def clean_custom_fields(
    definitions: list[CustomField], values: dict[str, Any] | None, *, existing: dict | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Return (cleaned values, field errors keyed "custom_fields.<key>").

    Values for keys no longer defined are kept as they were (an admin may have
    retired a field; its data must not be lost).
    """
    values = values or {}
    if not isinstance(values, dict):
        return {}, {"custom_fields": [str(_("Expected an object of field values."))]}
    result = dict(existing or {})
    errors: dict[str, list[str]] = {}
    by_key = {d.key: d for d in definitions}
    for key in values:
        if key not in by_key:
            errors[f"custom_fields.{key}"] = [str(UNKNOWN_FIELD) % {"key": key}]
    for key, definition in by_key.items():
        if key not in values:
            if definition.is_required and _is_empty(result.get(key)):
                errors[f"custom_fields.{key}"] = [str(REQUIRED)]
            continue
        raw = values[key]
        if _is_empty(raw):
            if definition.is_required:
                errors[f"custom_fields.{key}"] = [str(REQUIRED)]
            result.pop(key, None)
            continue
        try:
            result[key] = _clean_one(definition, raw)
        except ValueError as error:
            errors[f"custom_fields.{key}"] = [str(error)]
    return result, errors
