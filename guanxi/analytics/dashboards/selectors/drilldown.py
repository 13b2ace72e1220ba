"""The customers behind a chart element, keyset-paged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.dashboards.selectors.scope import FIX_BELOW, DashboardScope, check_year
from guanxi.analytics.models import (
    StageChange,
)
from guanxi.customers.models import Customer, Grade, LifecycleStage
from guanxi.platform.exceptions import ValidationError

# --- drill-down ----------------------------------------------------------------------


@dataclass
class CustomerFilter:
    grade: str | None = None
    stage: str | None = None
    r: int | None = None
    f: int | None = None
    at_risk: bool | None = None
    # Customers who moved between two stages in a date range (the flow chart).
    moved_from: str | None = None
    moved_to: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    after: int | None = None  # keyset: ids below this one
    limit: int = 50


MAX_LIMIT = 200
BAD_GRADE = _("Choose a grade: A, B, C, D or none.")
BAD_STAGE = _("Choose a lifecycle stage from the list.")
BAD_SCORE = _("Enter a score from 1 to 5.")
BAD_LIMIT = _("Enter a number from 1 to 200.")
NO_GRADE = "none"


def _check_customer_filter(filters: CustomerFilter) -> None:
    errors: dict[str, list[str]] = {}
    if filters.grade is not None and filters.grade not in [*Grade.values, NO_GRADE]:
        errors["grade"] = [str(BAD_GRADE)]
    for name in ("stage", "moved_from", "moved_to"):
        value = getattr(filters, name)
        if value is not None and value not in LifecycleStage.values:
            errors[name] = [str(BAD_STAGE)]
    check_year("since", filters.since, errors)
    check_year("until", filters.until, errors)
    for name in ("r", "f"):
        value = getattr(filters, name)
        if value is not None and not 1 <= value <= 5:
            errors[name] = [str(BAD_SCORE)]
    if not 1 <= filters.limit <= MAX_LIMIT:
        errors["limit"] = [str(BAD_LIMIT)]
    if errors:
        raise ValidationError(str(FIX_BELOW), field_errors=errors)


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class CustomerPage:
    rows: list[Customer]
    next_after: int | None


def drilldown_customers(*, scope: DashboardScope, filters: CustomerFilter) -> CustomerPage:
    """The customers behind a chart element, newest id first, `limit` at a time
    (keyset on id: `after` = the last id shown). One query (+ the score rows come
    with select_related)."""
    _check_customer_filter(filters)
    rows = scope.customers()
    if filters.grade is not None:
        rows = rows.filter(grade="" if filters.grade == NO_GRADE else filters.grade)
    if filters.stage is not None:
        rows = rows.filter(lifecycle_stage=filters.stage)
    if filters.r is not None:
        rows = rows.filter(score__r_score=filters.r)
    if filters.f is not None:
        rows = rows.filter(score__f_score=filters.f)
    if filters.at_risk:
        rows = rows.filter(score__is_at_risk=True)
    if filters.moved_from is not None or filters.moved_to is not None:
        moves = StageChange.objects.all()
        if filters.moved_from is not None:
            moves = moves.filter(from_stage=filters.moved_from)
        if filters.moved_to is not None:
            moves = moves.filter(to_stage=filters.moved_to)
        if filters.since is not None:
            moves = moves.filter(changed_at__gte=_local_start(filters.since))
        if filters.until is not None:
            moves = moves.filter(changed_at__lt=_local_start(filters.until + dt.timedelta(days=1)))
        rows = rows.filter(pk__in=moves.values("customer_id"))
    if filters.after is not None:
        rows = rows.filter(pk__lt=filters.after)
    found = list(rows.select_related("owner", "score").order_by("-pk")[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    return CustomerPage(rows=found, next_after=found[-1].pk if more and found else None)
