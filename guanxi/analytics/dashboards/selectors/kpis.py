"""KPIs of a period beside the previous period and the same period last year,
from KpiPeriod and CustomerSnapshot (formulas: docs/analytics.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.analytics.dashboards.selectors.scope import (
    CENT,
    CHURNABLE,
    DashboardScope,
    PeriodRef,
    refresh_state,
)
from guanxi.analytics.dashboards.services import month_index
from guanxi.analytics.models import (
    CustomerSnapshot,
    DashboardRefresh,
    KpiPeriod,
    KpiPeriodKind,
)
from guanxi.customers.models import Grade, LifecycleStage

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


def money(value: Any) -> Decimal:
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
                    setattr(sums, name, getattr(sums, name) + money(value))
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
            snap.clv_sum = (snap.clv_sum or Decimal(0)) + money(row["clv_sum"])
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
