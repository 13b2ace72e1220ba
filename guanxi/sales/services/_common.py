"""Value checks shared by the product, price list, order and quote services."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
INVALID_NUMBER = _("Enter a number.")
NOT_NEGATIVE = _("Enter zero or more.")
TOO_LARGE = _("This number is too large.")
NUMBER_ATTEMPTS = 5


def money(value: Decimal) -> Decimal:
    """Round half up to cents, as invoices do (not banker's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(
    value: Any,
    errors: dict[str, list[str]],
    field: str,
    *,
    minimum: Decimal | None = Decimal(0),
    maximum: Decimal = MAX_AMOUNT,
    minimum_message: Any = NOT_NEGATIVE,
) -> Decimal | None:
    """A finite Decimal within bounds rounded to cents, or None with a field error."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    if minimum is not None and number < minimum:
        errors.setdefault(field, []).append(str(minimum_message))
        return None
    if abs(number) > maximum:
        errors.setdefault(field, []).append(str(TOO_LARGE))
        return None
    return money(number)


def next_day_number(model: type[models.Model], prefix: str, day: dt.date) -> str:
    """<prefix>YYYYMMDD-NNNN: the day's highest number plus one (the unique index decides races).

    Orders (SO-) and quotes (Q-) number the same way; `model` needs a unique `number`.
    """
    day_prefix = f"{prefix}{day:%Y%m%d}-"
    last = (
        model._default_manager.filter(number__startswith=day_prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last.rsplit("-", 1)[1] if last else ""
    sequence = int(tail) + 1 if tail.isdigit() else 1
    return f"{day_prefix}{sequence:04d}"


def save_numbered(instance: Any, number: str | None, *, prefix: str) -> None:
    """Insert with the given or the next free day number; retry when a concurrent insert won."""
    if number:
        instance.number = number
        instance.save()
        return
    for attempt in range(NUMBER_ATTEMPTS):
        instance.number = next_day_number(type(instance), prefix, timezone.localdate())
        try:
            with transaction.atomic():
                instance.save()
            return
        except IntegrityError:
            instance.pk = None
            if attempt == NUMBER_ATTEMPTS - 1:
                raise


def int_or_none(value: Any) -> int | None:
    """An id from an int, a digit string or a model instance; None for anything else."""
    if isinstance(value, bool):
        return None
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


def parse_percent(
    value: Any, errors: dict[str, list[str]], field: str, message: Any
) -> Decimal | None:
    """0–100 with two decimals (empty is 0); one clear message whatever was wrong."""
    parsed = parse_decimal(0 if value in (None, "") else value, errors, field, maximum=Decimal(100))
    if field in errors:
        errors[field] = [str(message)]
    return parsed


def clean_text(value: Any, limit: int) -> str:
    """One line of text: no NUL, stripped, cut at `limit` characters."""
    return str(value or "").replace("\x00", "").strip()[:limit]
