"""ECharts options for the report pages, built here so the templates stay dumb.

Each page puts the option into a `json_script` element; reports.js reads it,
draws the chart, and (trend) follows the month's `urls` entry on click.
Numbers go out as floats rounded to cents (ECharts cannot read Decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

PALETTE = ["#206bc4", "#a8b5c6", "#f59f00", "#2fb344", "#d63939"]


def _num(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def trend_chart(trend: Any) -> dict[str, Any]:
    labels = [f"{m.month:%Y-%m}" for m in trend.months]
    return {
        "urls": [m.orders_url for m in trend.months],
        "option": {
            "color": PALETTE,
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0, "type": "scroll"},
            "grid": {"left": 8, "right": 8, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": [{"type": "value"}, {"type": "value", "splitLine": {"show": False}}],
            "series": [
                {
                    "id": "revenue",
                    "name": _("Revenue"),
                    "type": "bar",
                    "data": [_num(m.revenue) for m in trend.months],
                },
                {
                    "id": "last_year",
                    "name": _("Same month last year"),
                    "type": "bar",
                    "data": [_num(m.revenue_last_year) for m in trend.months],
                },
                {
                    "id": "previous",
                    "name": _("Previous period"),
                    "type": "line",
                    "data": [_num(m.revenue_previous) for m in trend.months],
                },
                {
                    "id": "profit",
                    "name": _("Profit"),
                    "type": "line",
                    "data": [_num(m.profit) for m in trend.months],
                },
                {
                    "id": "orders",
                    "name": _("Orders"),
                    "type": "line",
                    "yAxisIndex": 1,
                    "lineStyle": {"type": "dashed"},
                    "data": [m.orders for m in trend.months],
                },
            ],
        },
    }


def funnel_chart(report: Any) -> dict[str, Any]:
    return {
        "option": {
            "color": ["#206bc4", "#3b82d6", "#5a9ae0", "#7fb2ea", "#2fb344"],
            "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
            "series": [
                {
                    "id": "funnel",
                    "name": _("Funnel"),
                    "type": "funnel",
                    "sort": "none",
                    "left": "5%",
                    "width": "90%",
                    "min": 0,
                    "max": max([step.count for step in report.steps] + [1]),
                    "minSize": "30%",
                    "gap": 2,
                    "label": {"position": "inside", "formatter": "{b} {c}", "color": "#fff"},
                    "data": [{"name": step.name, "value": step.count} for step in report.steps],
                }
            ],
        }
    }


def forecast_chart(report: Any) -> dict[str, Any]:
    history = report.history[-24:]
    labels = [f"{month:%Y-%m}" for month, _value in history] + [
        f"{m.month:%Y-%m}" for m in report.months
    ]
    pad = [None] * len(history)
    series: list[dict[str, Any]] = [
        {
            "id": "history",
            "name": _("Revenue"),
            "type": "line",
            "data": [_num(value) for _month, value in history] + [None] * len(report.months),
        }
    ]
    if report.result.has_forecast:
        # The band: an invisible lower line with the width stacked on top of it.
        series += [
            {
                "id": "lower",
                "name": _("Prediction interval (90 percent)"),
                "type": "line",
                "stack": "band",
                "symbol": "none",
                "lineStyle": {"opacity": 0},
                "data": pad + [_num(m.lower) for m in report.months],
            },
            {
                "id": "band",
                "name": _("Prediction interval (90 percent)"),
                "type": "line",
                "stack": "band",
                "symbol": "none",
                "lineStyle": {"opacity": 0},
                "areaStyle": {"color": "rgba(32,107,196,0.15)"},
                "data": pad + [_num((m.upper or 0) - (m.lower or 0)) for m in report.months],
            },
            {
                "id": "forecast",
                "name": _("Forecast"),
                "type": "line",
                "lineStyle": {"type": "dashed"},
                # Starts at the last actual month so the two lines join.
                "data": pad[:-1]
                + [_num(history[-1][1]) if history else None]
                + [_num(m.forecast) for m in report.months],
            },
        ]
    if report.has_pipeline:
        series.append(
            {
                "id": "pipeline",
                "name": _("Weighted pipeline"),
                "type": "bar",
                "data": pad + [_num(m.weighted_pipeline) for m in report.months],
            }
        )
    return {
        "option": {
            "color": ["#206bc4", "#a8b5c6", "#a8b5c6", "#f59f00", "#2fb344"],
            "tooltip": {"trigger": "axis"},
            "legend": {
                "top": 0,
                "type": "scroll",
                "data": [s["name"] for s in series if s["id"] not in {"lower"}],
            },
            "grid": {"left": 8, "right": 8, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {"type": "category", "data": labels},
            "yAxis": {"type": "value"},
            "series": series,
        }
    }
