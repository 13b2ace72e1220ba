"""ECharts options of the dashboard, built here so the templates stay dumb (as in
reports/charts.py). Every data item carries the `url` of the customers behind it;
static/analytics/dashboard.js opens it on click. The sales trend is the reports'
own chart (its `urls` open the order list of the clicked month)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.analytics.dashboards.selectors import NO_GRADE, Dashboard, DashboardScope
from guanxi.customers.models import Grade, LifecycleStage
from guanxi.reports.charts import trend_chart

GRADE_COLOURS = {"A": "#2fb344", "B": "#206bc4", "C": "#f59f00", "D": "#d63939", "": "#a8b5c6"}
STAGE_ORDER = list(LifecycleStage.values)


def scope_params(scope: DashboardScope) -> dict[str, Any]:
    params: dict[str, Any] = {"view": scope.view}
    if scope.team is not None:
        params["team"] = scope.team.pk
    return params


def customers_url(scope: DashboardScope, **filters: Any) -> str:
    """The drill-down list of the view's customers matching `filters`."""
    params = {**scope_params(scope), **{k: v for k, v in filters.items() if v is not None}}
    return f"{reverse('analytics:dashboard_customers')}?{urlencode(params)}"


def _grade_label(grade: str) -> str:
    return grade or _("No grade")


def _stage_label(stage: str) -> str:
    return str(LifecycleStage(stage).label) if stage in STAGE_ORDER else stage


def grade_chart(dashboard: Dashboard) -> dict[str, Any]:
    grades = [*Grade.values, ""]
    counts = dashboard.cells.by_grade
    return {
        "option": {
            "animation": False,
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 8, "bottom": 8, "top": 16, "containLabel": True},
            "xAxis": {"type": "category", "data": [_grade_label(g) for g in grades]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "id": "grades",
                    "name": _("Customers"),
                    "type": "bar",
                    "data": [
                        {
                            "value": counts.get(grade, 0),
                            "itemStyle": {"color": GRADE_COLOURS[grade]},
                            "url": customers_url(dashboard.scope, grade=grade or NO_GRADE),
                        }
                        for grade in grades
                    ],
                }
            ],
        }
    }


def stage_chart(dashboard: Dashboard) -> dict[str, Any]:
    counts = dashboard.cells.by_stage
    return {
        "option": {
            "animation": False,
            "color": ["#206bc4"],
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 8, "right": 16, "bottom": 8, "top": 16, "containLabel": True},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [_stage_label(stage) for stage in STAGE_ORDER],
            },
            "xAxis": {"type": "value", "minInterval": 1},
            "series": [
                {
                    "id": "stages",
                    "name": _("Customers"),
                    "type": "bar",
                    "data": [
                        {
                            "value": counts.get(stage, 0),
                            "url": customers_url(dashboard.scope, stage=stage),
                        }
                        for stage in STAGE_ORDER
                    ],
                }
            ],
        }
    }


def flow_chart(dashboard: Dashboard) -> dict[str, Any]:
    """Sankey: "before" nodes on the left, "after" on the right (no cycles)."""
    period = dashboard.period
    before = sorted({row[0] for row in dashboard.flow}, key=_stage_order)
    after = sorted({row[1] for row in dashboard.flow}, key=_stage_order)
    return {
        "option": {
            "animation": False,
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "id": "flow",
                    "type": "sankey",
                    "left": 8,
                    "right": 90,
                    "top": 8,
                    "bottom": 8,
                    "nodeGap": 12,
                    "emphasis": {"focus": "adjacency"},
                    "lineStyle": {"color": "gradient", "curveness": 0.5},
                    "data": [{"name": f"{_stage_label(s)} ·"} for s in before]
                    + [{"name": f"· {_stage_label(s)}"} for s in after],
                    "links": [
                        {
                            "source": f"{_stage_label(left)} ·",
                            "target": f"· {_stage_label(right)}",
                            "value": count,
                            "url": customers_url(
                                dashboard.scope,
                                moved_from=left,
                                moved_to=right,
                                since=period.start.isoformat(),
                                until=period.end.isoformat(),
                            ),
                        }
                        for left, right, count in dashboard.flow
                    ],
                }
            ],
        }
    }


def _stage_order(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def rfm_chart(dashboard: Dashboard) -> dict[str, Any]:
    """R (x) × F (y) heat map of scored customers."""
    cells = dashboard.cells.rfm
    data = [
        {
            "value": [r - 1, f - 1, cells.get((r, f), 0)],
            "url": customers_url(dashboard.scope, r=r, f=f),
        }
        for r in range(1, 6)
        for f in range(1, 6)
    ]
    return {
        "option": {
            "animation": False,
            "tooltip": {"position": "top"},
            "grid": {"left": 8, "right": 8, "bottom": 56, "top": 8, "containLabel": True},
            "xAxis": {
                "type": "category",
                "name": "R",
                "data": ["1", "2", "3", "4", "5"],
                "splitArea": {"show": True},
            },
            "yAxis": {
                "type": "category",
                "name": "F",
                "data": ["1", "2", "3", "4", "5"],
                "splitArea": {"show": True},
            },
            "visualMap": {
                "min": 0,
                "max": max([*cells.values(), 1]),
                "calculable": True,
                "orient": "horizontal",
                "left": "center",
                "bottom": 0,
                "itemHeight": 120,
            },
            "series": [
                {
                    "id": "rfm",
                    "name": _("Customers"),
                    "type": "heatmap",
                    "data": data,
                    "label": {"show": True},
                }
            ],
        }
    }


def dashboard_charts(dashboard: Dashboard) -> dict[str, Any]:
    charts = {
        "grades": grade_chart(dashboard),
        "stages": stage_chart(dashboard),
        "flow": flow_chart(dashboard),
        "rfm": rfm_chart(dashboard),
    }
    if dashboard.trend is not None:
        charts["trend"] = trend_chart(dashboard.trend)
    return charts
