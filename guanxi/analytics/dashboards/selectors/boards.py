"""Chart data of the dashboard (score cells, stage flow, top lists) and the whole
dashboard in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum

from guanxi.analytics.dashboards.selectors.kpis import KpiReport, kpi_report, money
from guanxi.analytics.dashboards.selectors.scope import VIEW_MINE, DashboardScope, PeriodRef
from guanxi.analytics.dashboards.tables import month_of_index
from guanxi.analytics.models import (
    CustomerScore,
    KpiPeriod,
    KpiPeriodKind,
    ScoreCell,
    StageFlowMonth,
)
from guanxi.platform.permissions import has_permission

if TYPE_CHECKING:
    from guanxi.reports.selectors import SalesTrend

# --- charts --------------------------------------------------------------------------


@dataclass
class CellSums:
    by_grade: dict[str, int]
    by_stage: dict[str, int]
    rfm: dict[tuple[int, int], int]  # (R, F) -> customers, scored customers only
    customers: int
    at_risk: int
    value_at_risk: Decimal
    clv_customers: int = 0


def score_cells(*, scope: DashboardScope) -> CellSums:
    """Current grade, stage and R × F counts (one query over ScoreCell)."""
    rows = (
        ScoreCell.objects.filter(scope.condition(ScoreCell))
        .values("grade", "stage", "r_score", "f_score")
        .annotate(
            customers=Sum("customers"),
            at_risk=Sum("at_risk"),
            var=Sum("value_at_risk"),
            clv=Sum("clv_customers"),
        )
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
        sums.value_at_risk += money(row["var"])
        sums.clv_customers += row["clv"] or 0
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


def _is_narrow(view_count: int, company_count: int) -> bool:
    """Whether the view's own rows are fewer to read than the index walk's expected
    length: walking an index in value order until 10 of the view's rows turn up reads
    about 10 × company/view rows (all of them when the view has few or none: a rep's
    churn list on PostgreSQL took 8 s at 200,000 customers); reading the view's rows
    through its customers (owner/team index) and sorting costs `view_count`. A 10×
    margin, since the view's rows need not be spread evenly over the order."""
    return view_count * view_count <= 100 * company_count


def _ranked(rows: QuerySet[CustomerScore], field: str, *, is_narrow: bool, limit: int) -> list:
    rows = rows.select_related("customer", "customer__owner")
    if is_narrow:
        # An expression: no index serves the order, so the plan starts from the
        # view's customers instead of walking the whole index.
        value = ExpressionWrapper(F(field) + 0, output_field=DecimalField())
        return list(rows.order_by(value.desc(), "customer_id")[:limit])
    return list(rows.order_by(f"-{field}", "customer_id")[:limit])


def company_cells() -> CellSums:
    """Customers, churn warnings and customers with a CLV in the whole company (one
    query over ScoreCell), to weigh a view against (`_is_narrow`)."""
    sums = ScoreCell.objects.aggregate(
        customers=Sum("customers"), at_risk=Sum("at_risk"), clv=Sum("clv_customers")
    )
    return CellSums(
        {}, {}, {}, sums["customers"] or 0, sums["at_risk"] or 0, Decimal(0), sums["clv"] or 0
    )


def top_customers(
    *,
    scope: DashboardScope,
    limit: int = 10,
    cells: CellSums | None = None,
    company: CellSums | None = None,
) -> list[CustomerScore]:
    """Highest 12-month CLV first (index score_clv or score_owner_clv, or the view's
    customers sorted when the view is narrow, see `_is_narrow`); when no CLV was
    computed (the fit was impossible), highest spend in the RFM period."""
    cells = cells or score_cells(scope=scope)
    company = company or company_cells()
    if cells.clv_customers:
        # One owner: the index (owner, -clv_12m) gives the order (score_owner_clv).
        narrow = scope.single_owner() is None and _is_narrow(
            cells.clv_customers, company.clv_customers
        )
        return _ranked(
            scope.scores().filter(clv_12m__isnull=False), "clv_12m", is_narrow=narrow, limit=limit
        )
    narrow = _is_narrow(cells.customers, company.customers)
    return _ranked(scope.scores().filter(monetary__gt=0), "monetary", is_narrow=narrow, limit=limit)


def churn_risks(
    *,
    scope: DashboardScope,
    limit: int = 10,
    cells: CellSums | None = None,
    company: CellSums | None = None,
) -> list[CustomerScore]:
    """Warned customers of the view, highest value at risk first (the churn list's
    order, index score_at_risk, or the view's warned customers sorted when few)."""
    cells = cells or score_cells(scope=scope)
    company = company or company_cells()
    # One owner: the index (owner, -value_at_risk) gives the order (score_owner_at_risk).
    narrow = scope.single_owner() is None and _is_narrow(cells.at_risk, company.at_risk)
    return _ranked(
        scope.scores().filter(is_at_risk=True), "value_at_risk", is_narrow=narrow, limit=limit
    )


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


def sales_trend_months(*, scope: DashboardScope, period: PeriodRef) -> SalesTrend:
    """The sales trend of the period (revenue, profit, orders per month beside the
    same month a year earlier and the period before) from KpiPeriod's month rows:
    one query on an index, the current month as of the last refresh (the hourly
    incremental refresh keeps it current) instead of reading its orders live.
    Keyed like the rest of the dashboard by the customer's owner and team."""
    from guanxi.reports.selectors import (
        Period,
        SalesTrend,
        TrendMonth,
        TrendTotals,
        growth,
        orders_url,
    )

    first, last = period.month_first, period.month_last
    length = last - first + 1
    rows = (
        KpiPeriod.objects.filter(
            kind=KpiPeriodKind.MONTH, period__gte=min(first - length, first - 12), period__lte=last
        )
        .filter(scope.condition(KpiPeriod))
        .values("period")
        .annotate(revenue=Sum("revenue"), profit=Sum("profit"), orders=Sum("orders"))
        .order_by()
    )
    empty = {"revenue": Decimal("0.00"), "profit": Decimal("0.00"), "orders": 0}
    sums = {
        row["period"]: {
            "revenue": money(row["revenue"]),
            "profit": money(row["profit"]),
            "orders": int(row["orders"] or 0),
        }
        for row in rows
    }
    owner = scope.actor if scope.view == VIEW_MINE else None
    months = []
    for index in range(first, last + 1):
        this = sums.get(index, empty)
        before, a_year_ago = sums.get(index - length, empty), sums.get(index - 12, empty)
        months.append(
            TrendMonth(
                month=month_of_index(index),
                revenue=this["revenue"],
                profit=this["profit"],
                orders=this["orders"],
                customers=0,
                last_year_month=month_of_index(index - 12),
                revenue_last_year=a_year_ago["revenue"],
                previous_month=month_of_index(index - length),
                revenue_previous=before["revenue"],
                yoy=growth(this["revenue"], a_year_ago["revenue"]),
                vs_previous=growth(this["revenue"], before["revenue"]),
                orders_url=orders_url(month_of_index(index), owner),
            )
        )

    def total(offset: int, name: str) -> Any:
        return sum(
            (sums.get(index - offset, empty)[name] for index in range(first, last + 1)),
            start=type(empty[name])(),
        )

    window = Period(month_of_index(first), month_of_index(last))
    return SalesTrend(
        period=window,
        previous=window.shifted(-length),
        last_year=window.shifted(-12),
        months=months,
        totals=TrendTotals(
            revenue=total(0, "revenue"),
            profit=total(0, "profit"),
            orders=total(0, "orders"),
            revenue_last_year=total(12, "revenue"),
            profit_last_year=total(12, "profit"),
            orders_last_year=total(12, "orders"),
            revenue_previous=total(length, "revenue"),
            profit_previous=total(length, "profit"),
            orders_previous=total(length, "orders"),
        ),
    )


def dashboard_get(
    *, scope: DashboardScope, period: PeriodRef, today: dt.date | None = None
) -> Dashboard:
    """Everything one dashboard shows; a fixed number of queries whatever the data
    size (pre-aggregated tables, top-N lists on indexes), no order read."""
    from guanxi.analytics.selectors import latest_win_backs
    from guanxi.reports.permissions import VIEW_SALES_REPORTS

    cells, company = score_cells(scope=scope), company_cells()
    churn = churn_risks(scope=scope, cells=cells, company=company)
    win_backs = latest_win_backs(customer_ids=[row.customer_id for row in churn])
    trend = None
    if has_permission(scope.actor, VIEW_SALES_REPORTS):
        trend = sales_trend_months(scope=scope, period=period)
    return Dashboard(
        scope=scope,
        period=period,
        kpis=kpi_report(scope=scope, period=period, today=today),
        cells=cells,
        flow=stage_flow_rows(scope=scope, period=period),
        churn=[(score, win_backs.get(score.customer_id)) for score in churn],
        top=top_customers(scope=scope, cells=cells, company=company),
        trend=trend,
    )
