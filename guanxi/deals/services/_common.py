"""Value checks and messages shared by the pipeline and opportunity services."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")

INVALID_NUMBER = _("Enter a number.")
NOT_NEGATIVE = _("The amount cannot be negative.")
TOO_LARGE = _("This number is too large.")
PROBABILITY_RANGE = _("Enter a probability from 0 to 100.")
NAME_REQUIRED = _("Enter a name.")
TITLE_REQUIRED = _("Enter a title.")
CLOSE_DATE_REQUIRED = _("Enter the expected close date.")
CLOSE_DATE_IN_PAST = _("An open opportunity cannot close in the past: choose today or later.")
STAGE_OTHER_PIPELINE = _("Choose a stage of this opportunity's pipeline.")
UNKNOWN_STAGE = _("Choose a stage.")
UNKNOWN_PIPELINE = _("Choose an active pipeline.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_CONTACT = _("Choose a contact of this customer.")
UNKNOWN_OWNER = _("Choose an active user.")
UNKNOWN_LEAD = _("Choose a lead you can see.")
UNKNOWN_FIELD = _("Unknown field.")
UNKNOWN_TEAM = _("Choose a team.")
TOO_LONG = _("At most %(max)s characters.")
LOST_REASON_REQUIRED = _("Say why the opportunity was lost.")
CURRENCY_INVALID = _("Enter a three-letter currency code such as CNY.")
OPPORTUNITY_NOT_FOUND = _("This opportunity does not exist or you cannot see it.")
NOT_OPEN = _("Only an open opportunity can be won or lost; reopen it first.")
ALREADY_OPEN = _("This opportunity is already open.")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(value: Any, errors: dict[str, list[str]], field: str = "amount") -> Decimal | None:
    """A finite, non-negative Decimal rounded to cents, or None with a field error."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(str(INVALID_NUMBER))
        return None
    if number < 0:
        errors.setdefault(field, []).append(str(NOT_NEGATIVE))
        return None
    if number > MAX_AMOUNT:
        errors.setdefault(field, []).append(str(TOO_LARGE))
        return None
    return money(number)


def parse_probability(value: Any, errors: dict[str, list[str]]) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault("probability", []).append(str(PROBABILITY_RANGE))
        return None
    if not 0 <= number <= 100:
        errors.setdefault("probability", []).append(str(PROBABILITY_RANGE))
        return None
    return number


def as_pk(value: Any) -> int | None:
    """An id from a model, an int or digits; None for anything else."""
    value = getattr(value, "pk", value)
    if isinstance(value, bool):
        return None
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None
