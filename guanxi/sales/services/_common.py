"""Value checks shared by the product, price list and order services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
INVALID_NUMBER = _("Enter a number.")
NOT_NEGATIVE = _("Enter zero or more.")
TOO_LARGE = _("This number is too large.")


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
