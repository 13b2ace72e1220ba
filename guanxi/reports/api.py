"""Sales reports over the REST API: the same filters and scope as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from guanxi.platform.api_errors import READ_ERRORS
from guanxi.reports import forecast as forecasting
from guanxi.reports import funnel, selectors
from guanxi.reports.schemas import (
    ForecastFilter,
    FunnelFilter,
    ReportFilter,
    SalesForecastOut,
    SalesFunnelOut,
    SalesTrendOut,
)

router = Router(tags=["reports"])


def _filter(filters: Any) -> selectors.ReportFilter:
    return selectors.ReportFilter(
        date_from=getattr(filters, "date_from", None),
        date_to=getattr(filters, "date_to", None),
        owner=filters.owner,
        team=filters.team,
    )


def _period(period: selectors.Period) -> dict[str, Any]:
    return {"start": period.start, "end": period.last_day}


@router.get("/reports/sales-trend", response={200: SalesTrendOut, **READ_ERRORS})
def sales_trend_get(request: HttpRequest, filters: Query[ReportFilter]) -> dict[str, Any]:
    """Revenue, profit, orders and customers per month, with the same months last
    year and the previous period. Counted orders: confirmed and completed."""
    trend = selectors.sales_trend(actor=request.user, filters=_filter(filters))
    totals = trend.totals
    return {
        "period": _period(trend.period),
        "previous_period": _period(trend.previous),
        "last_year_period": _period(trend.last_year),
        "months": [
            {
                **{
                    name: getattr(row, name)
                    for name in (
                        "month",
                        "revenue",
                        "profit",
                        "orders",
                        "customers",
                        "last_year_month",
                        "revenue_last_year",
                        "previous_month",
                        "revenue_previous",
                        "orders_url",
                    )
                },
                "yoy_percent": row.yoy,
                "vs_previous_percent": row.vs_previous,
            }
            for row in trend.months
        ],
        "totals": {
            **{
                name: getattr(totals, name)
                for name in (
                    "revenue",
                    "profit",
                    "orders",
                    "revenue_last_year",
                    "profit_last_year",
                    "orders_last_year",
                    "revenue_previous",
                    "profit_previous",
                    "orders_previous",
                )
            },
            "yoy_percent": totals.yoy,
            "vs_previous_percent": totals.vs_previous,
            "margin_percent": totals.margin,
        },
        "data_as_of": trend.as_of,
    }


@router.get("/reports/funnel", response={200: SalesFunnelOut, **READ_ERRORS})
def sales_funnel_get(request: HttpRequest, filters: Query[FunnelFilter]) -> dict[str, Any]:
    """Opportunities of one pipeline created in the period: how many reached each
    stage, their amount and the conversion from the stage before."""
    report = funnel.sales_funnel(
        actor=request.user, filters=_filter(filters), pipeline_id=filters.pipeline
    )
    return {
        "period": _period(report.period),
        "pipeline": report.pipeline.pk if report.pipeline else None,
        "pipeline_name": report.pipeline.name if report.pipeline else None,
        "steps": [
            {
                "stage": step.stage_id,
                "name": step.name,
                "probability": step.probability,
                "kind": step.kind,
                "count": step.count,
                "amount": step.amount,
                "conversion_percent": step.conversion,
                "of_first_percent": step.of_first,
            }
            for step in report.steps
        ],
        "created": report.created,
        "won": report.won,
        "won_amount": report.won_amount,
        "lost": report.lost,
        "lost_amount": report.lost_amount,
        "win_rate_percent": report.win_rate,
        "owners": [
            {
                "owner": row.owner_id,
                "owner_name": row.owner_name,
                "created": row.created,
                "amount": row.amount,
                "won": row.won,
                "won_amount": row.won_amount,
                "lost": row.lost,
                "open": row.open,
                "win_rate_percent": row.win_rate,
            }
            for row in report.owners
        ],
    }


@router.get("/reports/forecast", response={200: SalesForecastOut, **READ_ERRORS})
def sales_forecast_get(request: HttpRequest, filters: Query[ForecastFilter]) -> dict[str, Any]:
    """The next 6 months from the current one: Holt-Winters forecast of revenue
    with its 90% interval and backtest error, and the weighted open pipeline."""
    report = selectors.sales_forecast(actor=request.user, filters=_filter(filters))
    backtest = report.result.backtest
    return {
        "method": report.result.method,
        "history_months": report.result.history_months,
        "history": [{"month": month, "revenue": value} for month, value in report.history],
        "months": [
            {
                "month": row.month,
                "forecast": row.forecast,
                "lower": row.lower,
                "upper": row.upper,
                "weighted_pipeline": row.weighted_pipeline if report.has_pipeline else None,
                "actual_so_far": row.actual_so_far,
            }
            for row in report.months
        ],
        "next_3_months": report.next3,
        "next_6_months": report.next6,
        "weighted_pipeline_3_months": report.pipeline3 if report.has_pipeline else None,
        "weighted_pipeline_6_months": report.pipeline6 if report.has_pipeline else None,
        "backtest": {
            "months": backtest.months,
            "method": backtest.method,
            "mape_percent": report.mape_percent,
            "mae": report.mae,
            "actual": [selectors._money(v) for v in backtest.actual],
            "predicted": [selectors._money(v) for v in backtest.predicted],
        }
        if backtest
        else None,
        "interval_level": forecasting.INTERVAL_LEVEL,
        "data_as_of": report.as_of,
    }
