"""Dashboard and KPI reads: the view (mine / team / company), the period, and the
numbers, all from the pre-aggregated tables (services.py) in the actor's scope.

Scope: every view needs `analytics.view_scores`. "mine" = customers the actor owns;
"team" = the actor's data scope (own / team / team and sub-teams / all), optionally
narrowed to one team the actor can see; "company" = every customer, only for actors
whose data scope is "all" (anyone else is refused: a rep never sees others' counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.dashboards.services import month_index, month_of_index
from guanxi.analytics.models import (
    CustomerScore,
    CustomerSnapshot,
    DashboardRefresh,
    KpiPeriod,
    KpiPeriodKind,
    ScoreCell,
    StageChange,
    StageFlowMonth,
)
from guanxi.analytics.permissions import VIEW_SCORES
from guanxi.customers.models import Customer, Grade, LifecycleStage
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import DataScope, data_scope_of, scope_condition, scoped

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


def visible_teams(actor: Any) -> list[Any]:
    """Teams worth offering in the team filter (within the actor's data scope)."""
    from guanxi.reports.selectors import filter_choices

    return filter_choices(actor=actor)[1]


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

    def customers(self) -> QuerySet[Customer]:
        """The live customers behind this view (scoped first, then narrowed)."""
        return scoped(Customer.objects.all(), actor=self.actor).filter(self.condition(Customer))


def resolve_scope(*, actor: Any, view: str | None, team_id: int | None) -> DashboardScope:
    """The view to show, or ValidationError (unknown view/team) / PermissionDenied
    (no dashboard permission; company view without the "all" data scope)."""
    require_dashboards(actor)
    view = view or VIEW_MINE
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


def _check_year(name: str, value: dt.date | None, errors: dict[str, list[str]]) -> None:
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
    _check_year("date_from", date_from, errors)
    _check_year("date_to", date_to, errors)
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


# --- KPIs ----------------------------------------------------------------------------


@dataclass
class PeriodSums:
    buyers: int = 0
    new_customers: int = 0
    retained: int = 0
    repeat_buyers: int = 0
    orders: int = 0
    revenue: Decimal = Decimal("0.00")
    profit: Decimal = Decimal("0.00")
    churned: int = 0


SUMMABLE = ("new_customers", "orders", "revenue", "profit", "churned")


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def _ratio(part: Any, whole: Any) -> float | None:
    if part is None or not whole:
        return None
    return float(part) / float(whole)


def _per(amount: Decimal | None, count: int | None) -> Decimal | None:
    if amount is None or not count:
        return None
    return (Decimal(amount) / count).quantize(CENT)


@dataclass
class Kpi:
    code: str
    label: str
    unit: str  # "count", "rate" (0..1), "money"
    value: Any
    previous: Any
    last_year: Any
    definition: str = ""
    is_available: bool = True

    @staticmethod
    def _change(now: Any, before: Any) -> float | None:
        if now is None or before is None or not before:
            return None
        return round((float(now) - float(before)) / abs(float(before)) * 100, 1)

    @property
    def vs_previous(self) -> float | None:
        return self._change(self.value, self.previous)

    @property
    def vs_last_year(self) -> float | None:
        return self._change(self.value, self.last_year)


@dataclass
class KpiReport:
    scope: DashboardScope
    period: PeriodRef
    previous: PeriodRef
    last_year: PeriodRef
    kpis: list[Kpi]
    by_stage: dict[str, tuple[int | None, int | None, int | None]]
    by_grade: dict[str, tuple[int | None, int | None, int | None]]
    as_of: DashboardRefresh | None = None
    notes: list[str] = field(default_factory=list)


def _period_sums(scope: DashboardScope, refs: list[PeriodRef]) -> dict[PeriodRef, PeriodSums]:
    """Sums per period for every ref (one query over the KpiPeriod rows they need)."""
    wanted: dict[tuple[str, int], None] = {}
    for ref in refs:
        kind = KpiPeriodKind.MONTH if ref.kind == "months" else ref.kind
        for index in range(ref.first, ref.last + 1):
            wanted[(kind, index)] = None
    query = Q()
    by_kind: dict[str, list[int]] = {}
    for kind, index in wanted:
        by_kind.setdefault(kind, []).append(index)
    for kind, indexes in by_kind.items():
        query |= Q(kind=kind, period__in=indexes)
    rows = (
        KpiPeriod.objects.filter(query)
        .filter(scope.condition(KpiPeriod))
        .values("kind", "period")
        .annotate(**{name: Sum(name) for name in PeriodSums.__dataclass_fields__})
        .order_by()
    )
    found = {(row["kind"], row["period"]): row for row in rows}
    result: dict[PeriodRef, PeriodSums] = {}
    for ref in refs:
        kind = KpiPeriodKind.MONTH if ref.kind == "months" else ref.kind
        sums = PeriodSums()
        for index in range(ref.first, ref.last + 1):
            row = found.get((kind, index))
            if row is None:
                continue
            for name in PeriodSums.__dataclass_fields__:
                value = row[name] or 0
                if name in ("revenue", "profit"):
                    setattr(sums, name, getattr(sums, name) + _money(value))
                else:
                    setattr(sums, name, getattr(sums, name) + int(value))
        result[ref] = sums
    return result


@dataclass
class Snapshot:
    by_stage: dict[str, int]
    by_grade: dict[str, int]
    clv_sum: Decimal | None
    clv_customers: int

    @property
    def churnable(self) -> int:
        return sum(self.by_stage.get(stage, 0) for stage in CHURNABLE)

    @property
    def average_clv(self) -> Decimal | None:
        return _per(self.clv_sum, self.clv_customers)


def _snapshots(scope: DashboardScope, months: set[int]) -> dict[int, Snapshot]:
    rows = (
        CustomerSnapshot.objects.filter(month__in=sorted(months))
        .filter(scope.condition(CustomerSnapshot))
        .values("month", "grade", "stage")
        .annotate(customers=Sum("customers"), clv_sum=Sum("clv_sum"), clv=Sum("clv_customers"))
        .order_by()
    )
    found: dict[int, Snapshot] = {}
    for row in rows:
        snap = found.setdefault(row["month"], Snapshot({}, {}, None, 0))
        snap.by_stage[row["stage"]] = snap.by_stage.get(row["stage"], 0) + row["customers"]
        snap.by_grade[row["grade"]] = snap.by_grade.get(row["grade"], 0) + row["customers"]
        if row["clv_sum"] is not None:
            snap.clv_sum = (snap.clv_sum or Decimal(0)) + _money(row["clv_sum"])
        snap.clv_customers += row["clv"] or 0
    return found


def kpi_report(
    *, scope: DashboardScope, period: PeriodRef, today: dt.date | None = None
) -> KpiReport:
    """The KPIs of `period` beside the previous period and the same period a year
    earlier (formulas: docs/analytics.md "Dashboards and KPIs"). Two queries."""
    today = today or timezone.localdate()
    current = month_index(today)
    previous, last_year = period.previous(), period.last_year()
    refs = [period, previous, last_year]
    if period.is_single:
        refs += [previous.previous(), last_year.previous()]
    sums = _period_sums(scope, list(dict.fromkeys(refs)))

    def end_month(ref: PeriodRef) -> int:
        return min(ref.month_last, current)

    snapshot_months = {end_month(ref) for ref in (period, previous, last_year)} | {
        ref.month_first - 1 for ref in (period, previous, last_year)
    }
    snaps = _snapshots(scope, snapshot_months)

    def retention(ref: PeriodRef) -> float | None:
        if not ref.is_single:
            return None
        return _ratio(sums[ref].retained, sums[ref.previous()].buyers)

    def distinct(ref: PeriodRef, name: str) -> int | None:
        return getattr(sums[ref], name) if ref.is_single else None

    def churn_rate(ref: PeriodRef) -> float | None:
        base = snaps.get(ref.month_first - 1)
        if base is None:
            return None
        return _ratio(sums[ref].churned, base.churnable)

    def average_clv(ref: PeriodRef) -> Decimal | None:
        snap = snaps.get(end_month(ref))
        return snap.average_clv if snap else None

    def measure(code: str, label: Any, unit: str, compute: Any, definition: Any) -> Kpi:
        values = [compute(ref) for ref in (period, previous, last_year)]
        return Kpi(code, str(label), unit, *values, definition=str(definition))

    kpis = [
        measure(
            "buyers",
            _("Buying customers"),
            "count",
            lambda ref: distinct(ref, "buyers"),
            _("Customers with at least one counted order in the period."),
        ),
        measure(
            "new_customers",
            _("New customers"),
            "count",
            lambda ref: sums[ref].new_customers,
            _("Customers whose first counted order ever is in the period."),
        ),
        measure(
            "retention_rate",
            _("Retention rate"),
            "rate",
            retention,
            _(
                "Buyers of the period before who bought again in this one, divided by "
                "the buyers of the period before."
            ),
        ),
        measure(
            "churned",
            _("Churned customers"),
            "count",
            lambda ref: sums[ref].churned,
            _("Customers whose lifecycle stage changed to lost in the period."),
        ),
        measure(
            "churn_rate",
            _("Churn rate"),
            "rate",
            churn_rate,
            _(
                "Churned customers divided by the new, active, loyal and dormant "
                "customers at the start of the period."
            ),
        ),
        measure(
            "repeat_rate",
            _("Repeat purchase rate"),
            "rate",
            lambda ref: (
                _ratio(sums[ref].repeat_buyers, sums[ref].buyers) if ref.is_single else None
            ),
            _("Buyers with purchases on two or more days in the period, divided by all buyers."),
        ),
        measure(
            "orders",
            _("Orders"),
            "count",
            lambda ref: sums[ref].orders,
            _("Confirmed and completed orders dated in the period."),
        ),
        measure(
            "revenue",
            _("Revenue"),
            "money",
            lambda ref: sums[ref].revenue,
            _("Total of those orders."),
        ),
        measure(
            "average_order_value",
            _("Average order value"),
            "money",
            lambda ref: _per(sums[ref].revenue, sums[ref].orders),
            _("Revenue divided by orders."),
        ),
        measure(
            "revenue_per_customer",
            _("Revenue per customer"),
            "money",
            lambda ref: _per(sums[ref].revenue, sums[ref].buyers) if ref.is_single else None,
            _("Revenue divided by buying customers."),
        ),
        measure(
            "profit_per_customer",
            _("Profit per customer"),
            "money",
            lambda ref: _per(sums[ref].profit, sums[ref].buyers) if ref.is_single else None,
            _("Profit divided by buying customers."),
        ),
        measure(
            "average_clv",
            _("Average CLV"),
            "money",
            average_clv,
            _("Mean 12-month CLV of the customers with one, at the end of the period."),
        ),
        Kpi(
            "csat",
            str(_("CSAT")),
            "rate",
            None,
            None,
            None,
            definition=str(_("Service work not yet available.")),
            is_available=False,
        ),
        Kpi(
            "nps",
            str(_("NPS")),
            "count",
            None,
            None,
            None,
            definition=str(_("Service work not yet available.")),
            is_available=False,
        ),
    ]

    def counts(attribute: str, keys: list[str]) -> dict[str, tuple[int | None, ...]]:
        table: dict[str, tuple[int | None, ...]] = {}
        for key in keys:
            values = []
            for ref in (period, previous, last_year):
                snap = snaps.get(end_month(ref))
                values.append(getattr(snap, attribute).get(key, 0) if snap else None)
            table[key] = tuple(values)
        return table

    notes = []
    if not period.is_single:
        notes.append(
            str(
                _(
                    "Counts of distinct customers (buyers, retention, repeat rate, per customer) "
                    "need a calendar month, quarter, year or the last 12 months."
                )
            )
        )
    return KpiReport(
        scope=scope,
        period=period,
        previous=previous,
        last_year=last_year,
        kpis=kpis,
        by_stage=counts("by_stage", list(LifecycleStage.values)),  # type: ignore[arg-type]
        by_grade=counts("by_grade", [*Grade.values, ""]),  # type: ignore[arg-type]
        as_of=refresh_state(),
        notes=notes,
    )


# --- charts --------------------------------------------------------------------------


@dataclass
class CellSums:
    by_grade: dict[str, int]
    by_stage: dict[str, int]
    rfm: dict[tuple[int, int], int]  # (R, F) -> customers, scored customers only
    customers: int
    at_risk: int
    value_at_risk: Decimal


def score_cells(*, scope: DashboardScope) -> CellSums:
    """Current grade, stage and R × F counts (one query over ScoreCell)."""
    rows = (
        ScoreCell.objects.filter(scope.condition(ScoreCell))
        .values("grade", "stage", "r_score", "f_score")
        .annotate(customers=Sum("customers"), at_risk=Sum("at_risk"), var=Sum("value_at_risk"))
        .order_by()
    )
    sums = CellSums({}, {}, {}, 0, 0, Decimal("0.00"))
    for row in rows:
        count = row["customers"] or 0
        sums.by_grade[row["grade"]] = sums.by_grade.get(row["grade"], 0) + count
        sums.by_stage[row["stage"]] = sums.by_stage.get(row["stage"], 0) + count
        if row["r_score"] and row["f_score"]:
            key = (row["r_score"], row["f_score"])
            sums.rfm[key] = sums.rfm.get(key, 0) + count
        sums.customers += count
        sums.at_risk += row["at_risk"] or 0
        sums.value_at_risk += _money(row["var"])
    return sums


def stage_flow_rows(*, scope: DashboardScope, period: PeriodRef) -> list[tuple[str, str, int]]:
    """(from stage, to stage, changes) in the period's months (one query)."""
    rows = (
        StageFlowMonth.objects.filter(month__gte=period.month_first, month__lte=period.month_last)
        .filter(scope.condition(StageFlowMonth))
        .values_list("from_stage", "to_stage")
        .annotate(total=Sum("changes"))
        .order_by("-total")
    )
    return [(before, after, int(total)) for before, after, total in rows]


def top_customers(*, scope: DashboardScope, limit: int = 10) -> list[CustomerScore]:
    """Highest 12-month CLV first (index score_clv); when no CLV was computed (the
    fit was impossible), highest spend in the RFM period."""
    visible = scope.customers()
    rows = list(
        CustomerScore.objects.filter(customer__in=visible, clv_12m__isnull=False)
        .select_related("customer", "customer__owner")
        .order_by("-clv_12m", "customer_id")[:limit]
    )
    if rows:
        return rows
    return list(
        CustomerScore.objects.filter(customer__in=visible, monetary__gt=0)
        .select_related("customer", "customer__owner")
        .order_by("-monetary", "customer_id")[:limit]
    )


def churn_risks(*, scope: DashboardScope, limit: int = 10) -> list[CustomerScore]:
    """Warned customers of the view, highest value at risk first (the churn list's
    selector, narrowed to the view)."""
    from guanxi.analytics.selectors import churn_warning_list

    rows = churn_warning_list(actor=scope.actor).filter(customer__in=scope.customers())
    return list(rows[:limit])


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
    _check_year("since", filters.since, errors)
    _check_year("until", filters.until, errors)
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


# --- the whole dashboard -------------------------------------------------------------


@dataclass
class Dashboard:
    scope: DashboardScope
    period: PeriodRef
    kpis: KpiReport
    cells: CellSums
    flow: list[tuple[str, str, int]]
    churn: list[tuple[CustomerScore, Any]]  # (score, latest win-back or None)
    top: list[CustomerScore]
    trend: Any = None  # reports.selectors.SalesTrend, None without the reports permission


def dashboard_get(
    *, scope: DashboardScope, period: PeriodRef, today: dt.date | None = None
) -> Dashboard:
    """Everything one dashboard shows; a fixed number of queries whatever the data
    size (pre-aggregated tables, top-N lists on indexes, SalesMonth for the trend)."""
    from guanxi.analytics.selectors import latest_win_backs
    from guanxi.reports.permissions import VIEW_SALES_REPORTS
    from guanxi.reports.selectors import ReportFilter, sales_trend

    churn = churn_risks(scope=scope)
    win_backs = latest_win_backs(customer_ids=[row.customer_id for row in churn])
    trend = None
    if has_permission(scope.actor, VIEW_SALES_REPORTS):
        trend = sales_trend(
            actor=scope.actor,
            filters=ReportFilter(
                date_from=period.start,
                date_to=period.end,
                owner=scope.actor.pk if scope.view == VIEW_MINE else None,
                team=scope.team.pk if scope.team is not None else None,
            ),
        )
    return Dashboard(
        scope=scope,
        period=period,
        kpis=kpi_report(scope=scope, period=period, today=today),
        cells=score_cells(scope=scope),
        flow=stage_flow_rows(scope=scope, period=period),
        churn=[(score, win_backs.get(score.customer_id)) for score in churn],
        top=top_customers(scope=scope),
        trend=trend,
    )
