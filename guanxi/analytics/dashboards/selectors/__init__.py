"""Dashboard and KPI reads, all from the pre-aggregated tables (services.py) in the
actor's scope: the view and period (scope.py), the KPIs (kpis.py), the chart data
and the whole dashboard (boards.py), the drill-down list (drilldown.py)."""

from guanxi.analytics.dashboards.selectors.boards import (
    CellSums,
    Dashboard,
    churn_risks,
    dashboard_get,
    score_cells,
    stage_flow_rows,
    top_customers,
)
from guanxi.analytics.dashboards.selectors.drilldown import (
    MAX_LIMIT,
    NO_GRADE,
    CustomerFilter,
    CustomerPage,
    drilldown_customers,
)
from guanxi.analytics.dashboards.selectors.kpis import Kpi, KpiReport, kpi_report
from guanxi.analytics.dashboards.selectors.scope import (
    PRESETS,
    VIEW_COMPANY,
    VIEW_MINE,
    VIEW_TEAM,
    VIEWS,
    DashboardScope,
    PeriodRef,
    TrailingRef,
    available_views,
    default_view,
    may_see_company,
    refresh_state,
    resolve_period,
    resolve_scope,
    visible_teams,
)

__all__ = [
    "MAX_LIMIT",
    "NO_GRADE",
    "PRESETS",
    "VIEWS",
    "VIEW_COMPANY",
    "VIEW_MINE",
    "VIEW_TEAM",
    "CellSums",
    "CustomerFilter",
    "CustomerPage",
    "Dashboard",
    "DashboardScope",
    "Kpi",
    "KpiReport",
    "PeriodRef",
    "TrailingRef",
    "available_views",
    "churn_risks",
    "dashboard_get",
    "default_view",
    "drilldown_customers",
    "kpi_report",
    "may_see_company",
    "refresh_state",
    "resolve_period",
    "resolve_scope",
    "score_cells",
    "stage_flow_rows",
    "top_customers",
    "visible_teams",
]
