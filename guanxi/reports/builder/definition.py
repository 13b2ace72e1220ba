"""What a built report is: one dimension, some measures, filters, sort and top N.

A definition arrives as a dict (a form's cleaned data, an API body or a saved
report's JSON) and leaves `definition_parse` either as a `Definition` or as a
ValidationError naming the field at fault. Everything that runs a report starts
from a parsed definition, so a saved report that no longer validates (a team was
deleted, say) fails with a field error instead of a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Grade, LifecycleStage
from guanxi.platform.exceptions import ValidationError

# dimension key -> label; the order is the order of the form's choices
DIMENSIONS: dict[str, Any] = {
    "owner": _("Owner"),
    "team": _("Team"),
    "region": _("Region (province)"),
    "industry": _("Industry"),
    "source": _("Source"),
    "tag": _("Tag"),
    "grade": _("Grade"),
    "stage": _("Lifecycle stage"),
    "product": _("Product"),
    "month": _("Month"),
}
MEASURES: dict[str, Any] = {
    "customers": _("Customers"),
    "orders": _("Orders"),
    "revenue": _("Revenue"),
    "profit": _("Profit"),
    "clv_total": _("CLV (12 months), total"),
    "clv_average": _("CLV (12 months), average"),
    "at_risk": _("Customers at risk of churn"),
    "value_at_risk": _("Value at risk"),
}
MONEY_MEASURES = frozenset({"revenue", "profit", "clv_total", "clv_average", "value_at_risk"})
ORDER_MEASURES = frozenset({"orders", "revenue", "profit"})
CUSTOMER_MEASURES = frozenset({"customers", "clv_total", "clv_average", "at_risk", "value_at_risk"})
LABEL_SORT = "label"
MAX_TOP_N = 100
MAX_NAME = 100

UNKNOWN_DIMENSION = _("Choose one of the listed dimensions.")
UNKNOWN_MEASURE = _("Choose measures from the list.")
NO_MEASURE = _("Choose at least one measure.")
BAD_SORT = _("Sort by the label or one of the chosen measures.")
BAD_TOP_N = _("Enter a whole number from 1 to %(max)s.")
BAD_DATE = _("Enter a valid date.")
BAD_ID = _("Enter a valid id.")
BAD_GRADE = _("Choose a valid grade.")
BAD_STAGE = _("Choose a valid lifecycle stage.")
BAD_BOOLEAN = _("Enter true or false.")
CORRECT_ERRORS = _("Please correct the errors below.")


@dataclass(frozen=True)
class Definition:
    dimension: str
    measures: tuple[str, ...]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    owner: int | None = None
    team: int | None = None
    grade: str = ""
    stage: str = ""
    sort: str = ""  # a measure key or "label"; empty: the first measure (months: label)
    descending: bool = True
    top_n: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def sort_key(self) -> str:
        if self.sort:
            return self.sort
        return LABEL_SORT if self.dimension == "month" else self.measures[0]

    def as_json(self) -> dict[str, Any]:
        """The definition as stored in SavedReport.definition (and answered by the API)."""
        data = asdict(self)
        data.pop("extra")
        data["measures"] = list(self.measures)
        for name in ("date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _date(value: Any, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        errors[name] = [str(BAD_DATE)]
        return None


def _id(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [str(BAD_ID)]
        return None
    if not 1 <= number <= 2**63 - 1:
        errors[name] = [str(BAD_ID)]
        return None
    return number


def _boolean(value: Any, name: str, errors: dict[str, list[str]]) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return True
    text = str(value).strip().lower()
    if text in ("1", "true", "on", "yes", "desc"):
        return True
    if text in ("0", "false", "off", "no", "asc"):
        return False
    errors[name] = [str(BAD_BOOLEAN)]
    return True


def definition_parse(data: dict[str, Any]) -> Definition:
    """A checked Definition from loose input, or ValidationError with field errors.

    Checks shape only (known keys, types, ranges); whether the owner or team is one
    the actor may see is checked when the report runs (query.resolve).
    """
    errors: dict[str, list[str]] = {}
    dimension = str(data.get("dimension") or "")
    if dimension not in DIMENSIONS:
        errors["dimension"] = [str(UNKNOWN_DIMENSION)]
    raw_measures = data.get("measures") or []
    if isinstance(raw_measures, str):
        raw_measures = [part for part in raw_measures.split(",") if part]
    if not isinstance(raw_measures, list | tuple):
        raw_measures = []
    measures = tuple(dict.fromkeys(str(m) for m in raw_measures))
    if not measures:
        errors["measures"] = [str(NO_MEASURE)]
    elif any(m not in MEASURES for m in measures):
        errors["measures"] = [str(UNKNOWN_MEASURE)]
    date_from = _date(data.get("date_from"), "date_from", errors)
    date_to = _date(data.get("date_to"), "date_to", errors)
    owner = _id(data.get("owner"), "owner", errors)
    team = _id(data.get("team"), "team", errors)
    grade = str(data.get("grade") or "")
    if grade and grade not in Grade.values:
        errors["grade"] = [str(BAD_GRADE)]
    stage = str(data.get("stage") or "")
    if stage and stage not in LifecycleStage.values:
        errors["stage"] = [str(BAD_STAGE)]
    sort = str(data.get("sort") or "")
    if sort and sort != LABEL_SORT and sort not in measures:
        errors["sort"] = [str(BAD_SORT)]
    descending = _boolean(data.get("descending"), "descending", errors)
    top_n = None
    raw_top = data.get("top_n")
    if raw_top not in (None, ""):
        try:
            top_n = int(raw_top)
        except (TypeError, ValueError):
            top_n = 0
        if not 1 <= top_n <= MAX_TOP_N:
            errors["top_n"] = [str(BAD_TOP_N % {"max": MAX_TOP_N})]
    if errors:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)
    return Definition(
        dimension=dimension,
        measures=measures,
        date_from=date_from,
        date_to=date_to,
        owner=owner,
        team=team,
        grade=grade,
        stage=stage,
        sort=sort,
        descending=descending,
        top_n=top_n,
    )
