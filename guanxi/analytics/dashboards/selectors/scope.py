"""The view (mine / my teams / company) and the period a dashboard shows.

Scope: every view needs `analytics.view_scores`. "mine" = customers the actor owns;
"team" = the actor's data scope (own / team / team and sub-teams / all), optionally
narrowed to one team the actor can see; "company" = every customer, only for actors
whose data scope is "all" (anyone else is refused: a rep never sees others' counts).
Without a view asked for, `default_view`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.dashboards.services import month_index, month_of_index
from guanxi.analytics.models import (
    CustomerScore,
    DashboardRefresh,
    KpiPeriodKind,
)
from guanxi.analytics.permissions import VIEW_SCORES
from guanxi.customers.models import Customer, LifecycleStage
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import (
    DataScope,
    data_scope_of,
    is_own_scope,
    may_act,
    scope_condition,
    scoped,
    team_scope,
)

CENT = Decimal("0.01")
MAX_MONTHS = 120
MIN_YEAR = 1900
MAX_YEAR = 2999

VIEW_MINE = "mine"
VIEW_TEAM = "team"
VIEW_COMPANY = "company"
VIEWS = (VIEW_MINE, VIEW_TEAM, VIEW_COMPANY)

PRESETS = ("this_month", "last_month", "this_quarter", "this_year", "last_12_months", "custom")
DEFAULT_PRESET = "this_month"

# Stages that count as customers who can still churn (the churn rate's base).
CHURNABLE = (
    LifecycleStage.NEW,
    LifecycleStage.ACTIVE,
    LifecycleStage.LOYAL,
    LifecycleStage.DORMANT,
)

UNKNOWN_VIEW = _("Choose one of: mine, team, company.")
COMPANY_REFUSED = _("The company view needs access to every customer.")
UNKNOWN_PRESET = _("Choose a period from the list.")
UNKNOWN_TEAM = _("Choose a team you can see.")
CUSTOM_NEEDS_DATES = _("Enter both dates of the custom period.")
BAD_RANGE = _("The start must not be after the end.")
TOO_LONG = _("Choose at most %(months)s months.")
BAD_YEAR = _("Enter a date between the years 1900 and 2999.")
FIX_BELOW = _("Please correct the errors below.")


def require_dashboards(actor: Any) -> None:
    if not has_permission(actor, VIEW_SCORES):
        raise PermissionDenied("")


def may_see_company(actor: Any) -> bool:
    return data_scope_of(actor) == DataScope.ALL


def available_views(actor: Any) -> list[str]:
    views = [VIEW_MINE, VIEW_TEAM]
    if may_see_company(actor):
        views.append(VIEW_COMPANY)
    return views


def default_view(actor: Any) -> str:
    """The view a dashboard opens on: the company for whoever sees every customer,
    the teams for a manager scoped to teams, else the actor's own customers (an
    admin who owns no customers used to open on a page of zeros)."""
    if data_scope_of(actor) == DataScope.ALL:
        return VIEW_COMPANY
    return VIEW_MINE if is_own_scope(actor) else VIEW_TEAM


def visible_teams(actor: Any) -> list[Any]:
    """Teams worth offering in the team filter (within the actor's data scope): the
    teams of the reports' filter bar, without reading its list of users (every user
    of the company on each dashboard request)."""
    from guanxi.accounts.selectors import team_list

    if is_own_scope(actor):
        return []
    return list(team_list(actor=actor).filter(team_scope(actor)))


# --- the view ------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Who looks (actor), at what (view), narrowed to a team (or not)."""

    actor: Any
    view: str
    team: Any = None

    def condition(self, model: Any) -> Q:
        """Row filter for a table keyed by scope_owner/team, or for Customer."""
        owner_field = "owner_id" if model is Customer else "scope_owner_id"
        rows = Q()
        if self.view == VIEW_MINE:
            rows &= Q(**{owner_field: self.actor.pk})
        elif self.view == VIEW_TEAM:
            restriction = scope_condition(model, self.actor)
            if restriction is not None:
                rows &= restriction
        if self.team is not None:
            rows &= Q(team__path__startswith=self.team.path)
        return rows

    def single_owner(self) -> int | None:
        """The one owner whose customers the view holds ("mine", or a data scope of
        the actor's own customers), else None."""
        if self.view == VIEW_MINE or is_own_scope(self.actor):
            return self.actor.pk
        return None

    def scores(self) -> QuerySet[CustomerScore]:
        """Score rows of the view's live customers, filtered through the join to the
        customer (scope registered on CustomerScore in apps.py): `customer__in=
        <visible customers>` made SQLite build a 200,000-id list on every request.
        A one-owner view also filters on the owner stored with the score, so the
        owner indexes give its rows in value order (the join still checks that the
        customer has that owner now)."""
        if not may_act(self.actor, Customer, "view"):
            return CustomerScore.objects.none()
        rows = CustomerScore.objects.filter(customer__deleted_at__isnull=True)
        restriction = scope_condition(CustomerScore, self.actor)
        if restriction is not None:
            rows = rows.filter(restriction)
        if self.view == VIEW_MINE:
            rows = rows.filter(customer__owner_id=self.actor.pk)
        owner = self.single_owner()
        if owner is not None:
            rows = rows.filter(scope_owner_id=owner)
        if self.team is not None:
            rows = rows.filter(customer__team__path__startswith=self.team.path)
        return rows

    def customers(self) -> QuerySet[Customer]:
        """The live customers behind this view (scoped first, then narrowed)."""
        return scoped(Customer.objects.all(), actor=self.actor).filter(self.condition(Customer))


def resolve_scope(*, actor: Any, view: str | None, team_id: int | None) -> DashboardScope:
    """The view to show, or ValidationError (unknown view/team) / PermissionDenied
    (no dashboard permission; company view without the "all" data scope)."""
    require_dashboards(actor)
    view = view or default_view(actor)
    errors: dict[str, list[str]] = {}
    if view not in VIEWS:
        errors["view"] = [str(UNKNOWN_VIEW)]
    team = None
    if team_id is not None:
        team = next((item for item in visible_teams(actor) if item.pk == team_id), None)
        if team is None:
            errors["team"] = [str(UNKNOWN_TEAM)]
    if errors:
        raise ValidationError(str(FIX_BELOW), field_errors=errors)
    if view == VIEW_COMPANY and not may_see_company(actor):
        raise PermissionDenied(str(COMPANY_REFUSED))
    return DashboardScope(actor=actor, view=view, team=team)


# --- the period ----------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodRef:
    """One stored period (kind, index), or a run of months (kind "months")."""

    kind: str
    first: int
    last: int

    @property
    def is_single(self) -> bool:
        return self.kind != "months"

    @property
    def month_first(self) -> int:
        if self.kind == KpiPeriodKind.QUARTER:
            return self.first // 4 * 12 + self.first % 4 * 3
        if self.kind == KpiPeriodKind.YEAR:
            return self.first * 12
        return self.first

    @property
    def month_last(self) -> int:
        if self.kind == KpiPeriodKind.QUARTER:
            return self.month_first + 2
        if self.kind == KpiPeriodKind.YEAR:
            return self.month_first + 11
        return self.last

    @property
    def start(self) -> dt.date:
        return month_of_index(self.month_first)

    @property
    def end(self) -> dt.date:
        return month_of_index(self.month_last + 1) - dt.timedelta(days=1)

    def shifted(self, periods: int) -> PeriodRef:
        return PeriodRef(self.kind, self.first + periods, self.last + periods)

    def previous(self) -> PeriodRef:
        if self.is_single:
            return self.shifted(-1)
        return self.shifted(-(self.last - self.first + 1))

    def last_year(self) -> PeriodRef:
        per_year = {KpiPeriodKind.MONTH: 12, KpiPeriodKind.QUARTER: 4, "months": 12}
        return self.shifted(-per_year.get(self.kind, 1))


@dataclass(frozen=True)
class TrailingRef(PeriodRef):
    """Trailing 12-month window `first` (0, -1, …) counted back from `anchor`."""

    anchor: int = 0

    @property
    def month_first(self) -> int:
        return self.anchor + 12 * self.first - 11

    @property
    def month_last(self) -> int:
        return self.anchor + 12 * self.first

    def shifted(self, periods: int) -> PeriodRef:
        return TrailingRef(self.kind, self.first + periods, self.last + periods, self.anchor)

    def last_year(self) -> PeriodRef:
        return self.shifted(-1)


def refresh_state() -> DashboardRefresh | None:
    return DashboardRefresh.objects.filter(pk=1).first()


def check_year(name: str, value: dt.date | None, errors: dict[str, list[str]]) -> None:
    if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
        errors.setdefault(name, []).append(str(BAD_YEAR))


def resolve_period(
    *,
    preset: str | None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
    anchor_month: int | None = None,
) -> PeriodRef:
    """The stored period a choice maps onto.

    Presets are whole calendar periods (this/last month, this quarter, this year)
    or the trailing 12 months up to the month of the last refresh. A custom range
    covers the whole months its two dates fall in; when those months are exactly a
    calendar month, quarter or year, that period's row is used, otherwise a run of
    months (counts of distinct customers are then not available, see docs).
    """
    today = today or timezone.localdate()
    current = month_index(today)
    if not preset:
        preset = "custom" if (date_from or date_to) else DEFAULT_PRESET
    errors: dict[str, list[str]] = {}
    if preset not in PRESETS:
        raise ValidationError(str(FIX_BELOW), field_errors={"preset": [str(UNKNOWN_PRESET)]})
    if preset == "this_month":
        return PeriodRef(KpiPeriodKind.MONTH, current, current)
    if preset == "last_month":
        return PeriodRef(KpiPeriodKind.MONTH, current - 1, current - 1)
    if preset == "this_quarter":
        quarter = today.year * 4 + (today.month - 1) // 3
        return PeriodRef(KpiPeriodKind.QUARTER, quarter, quarter)
    if preset == "this_year":
        return PeriodRef(KpiPeriodKind.YEAR, today.year, today.year)
    if preset == "last_12_months":
        anchor = current if anchor_month is None else anchor_month
        return TrailingRef(KpiPeriodKind.TRAILING_YEAR, 0, 0, anchor)
    check_year("date_from", date_from, errors)
    check_year("date_to", date_to, errors)
    if not errors and (date_from is None or date_to is None):
        for name, value in (("date_from", date_from), ("date_to", date_to)):
            if value is None:
                errors[name] = [str(CUSTOM_NEEDS_DATES)]
    if errors:
        raise ValidationError(str(FIX_BELOW), field_errors=errors)
    assert date_from is not None and date_to is not None
    first, last = month_index(date_from), month_index(date_to)
    if first > last:
        raise ValidationError(str(FIX_BELOW), field_errors={"date_from": [str(BAD_RANGE)]})
    if last - first + 1 > MAX_MONTHS:
        raise ValidationError(
            str(FIX_BELOW), field_errors={"date_from": [str(TOO_LONG % {"months": MAX_MONTHS})]}
        )
    if first == last:
        return PeriodRef(KpiPeriodKind.MONTH, first, first)
    if last - first == 2 and first % 3 == 0:
        quarter = first // 12 * 4 + first % 12 // 3
        return PeriodRef(KpiPeriodKind.QUARTER, quarter, quarter)
    if last - first == 11 and first % 12 == 0:
        return PeriodRef(KpiPeriodKind.YEAR, first // 12, first // 12)
    return PeriodRef("months", first, last)
