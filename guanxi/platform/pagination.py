"""Keyset ("seek") pagination: pages stay fast however deep a user scrolls.

The ordering is a list of fields ending with a unique one (normally "id"),
each optionally prefixed with "-". The cursor carries the last row's values;
the next page is the rows strictly after it in that order. Ordering fields
must not be NULL (annotate a Coalesce for nullable columns).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

T = TypeVar("T")


@dataclass
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None
    has_next: bool


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"dec": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return dt.datetime.fromisoformat(value["dt"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "dec" in value:
            return decimal.Decimal(value["dec"])
    return value


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, expected_length: int) -> list[Any] | None:
    """The values in a cursor, or None when it is malformed (treated as the first page)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != expected_length:
            return None
        return [_decode_value(v) for v in values]
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        return None


def _after_condition(ordering: list[str], values: list[Any]) -> Q:
    """(a, b, id) after (x, y, z) in mixed directions, as an OR of prefixes."""
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{name}__{lookup}": values[index]})
        for previous_index in range(index):
            previous = ordering[previous_index].lstrip("-")
            clause &= Q(**{previous: values[previous_index]})
        condition |= clause
    return condition


def _value_of(item: Any, field: str) -> Any:
    value = item
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


_BIGINT = 2**63


def _typed_values(qs: QuerySet[Any], ordering: list[str], values: list[Any]) -> list[Any] | None:
    """The cursor values as the ordering fields' Python types, or None if any does not fit.

    A cursor comes from the URL: a value the database would choke on (a word for an
    id, a number too big for BIGINT, null) must not turn into a 500.
    """
    typed = []
    for field_name, value in zip(ordering, values, strict=True):
        if value is None or isinstance(value, dict | list):
            return None
        name = field_name.lstrip("-")
        try:
            field = qs.model._meta.get_field(name) if "__" not in name else None
        except FieldDoesNotExist:
            field = None  # an annotation: the database will compare it
        if field is not None:
            try:
                value = field.to_python(value)
            except (DjangoValidationError, TypeError, ValueError):
                return None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _BIGINT:
            return None
        typed.append(value)
    return typed


def keyset_page(
    qs: QuerySet[T], *, ordering: list[str], cursor: str | None, size: int
) -> KeysetPage[T]:
    """One page of `qs` in `ordering` after `cursor`; a malformed cursor gives the first page."""
    qs = qs.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor, len(ordering))
        if values is not None:
            values = _typed_values(qs, ordering, values)
        if values is not None:
            qs = qs.filter(_after_condition(ordering, values))
    rows = list(qs[: size + 1])
    has_next = len(rows) > size
    items = rows[:size]
    next_cursor = None
    if has_next and items:
        next_cursor = encode_cursor([_value_of(items[-1], f) for f in ordering])
    return KeysetPage(items=items, next_cursor=next_cursor, has_next=has_next)
