"""Sales reports over the REST API: the same filters and scope as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Query, Router, Status

from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import Id, IfMatch, expected_version, set_etag
from guanxi.reports import forecast as forecasting
from guanxi.reports import funnel, selectors
from guanxi.reports.builder import selectors as builder_selectors
from guanxi.reports.builder import services as builder_services
from guanxi.reports.builder.definition import definition_parse
from guanxi.reports.builder.exports import CONTENT_TYPES
from guanxi.reports.builder.query import ReportResult, report_run
from guanxi.reports.schemas import (
    ExportFormat,
    ForecastFilter,
    FunnelFilter,
    ReportDefinitionIn,
    ReportExportIn,
    ReportFilter,
    ReportResultOut,
    SalesForecastOut,
    SalesFunnelOut,
    SalesTrendOut,
    SavedReportIn,
    SavedReportOut,
    SavedReportPatchIn,
    ScheduleIn,
    ScheduleOut,
    SchedulePatchIn,
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


# --- report builder -------------------------------------------------------------------
FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The report file (XLSX, CSV or PDF)",
            "content": {
                content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for content_type in CONTENT_TYPES.values()
            },
        }
    }
}


def _definition(payload: Any) -> dict[str, Any]:
    return payload.model_dump(exclude_none=True)


def _result_out(result: ReportResult) -> dict[str, Any]:
    return {
        "definition": result.definition.as_json(),
        "period": _period(result.period),
        "rows": [
            {
                "key": None if row.key is None else str(row.key),
                "label": row.label,
                "values": row.values,
                "url": row.url,
            }
            for row in result.rows
        ],
        "totals": result.totals,
        "group_count": result.group_count,
        "duration_ms": result.duration_ms,
    }


def _saved_out(request: HttpRequest, report: Any, response: HttpResponse | None = None) -> Any:
    if response is not None:
        set_etag(response, report.version)
    return {
        "id": report.pk,
        "name": report.name,
        "owner": report.owner_id,
        "owner_name": str(report.owner),
        "is_shared": report.is_shared,
        "is_mine": report.owner_id == request.user.pk,
        "definition": report.definition,
        "version": report.version,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
    }


def _schedule_out(schedule: Any) -> dict[str, Any]:
    return {
        **{
            name: getattr(schedule, name)
            for name in (
                "id",
                "frequency",
                "weekday",
                "day_of_month",
                "format",
                "is_active",
                "last_sent_period",
                "last_sent_at",
                "version",
            )
        },
        "report": schedule.report_id,
        "recipients": sorted(user.pk for user in schedule.recipients.all()),
    }


def _file(export: Any) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    return response


@router.post("/reports/builder/run", response={200: ReportResultOut, **READ_ERRORS})
def report_run_post(request: HttpRequest, payload: ReportDefinitionIn) -> dict[str, Any]:
    """Run a definition in the caller's data scope (not saved)."""
    definition = definition_parse(_definition(payload))
    return _result_out(report_run(actor=request.user, definition=definition))


@router.post(
    "/reports/builder/export", response={200: None, **READ_ERRORS}, openapi_extra=FILE_RESPONSE
)
def report_export_post(request: HttpRequest, payload: ReportExportIn) -> HttpResponse:
    """Run a definition and answer the file straight away (a report holds at most a few
    hundred rows, so no export job is needed); audited like every export."""
    export = builder_services.report_export(
        actor=request.user, definition=_definition(payload.definition), fmt=payload.format
    )
    return _file(export)


@router.get("/reports/saved", response={200: list[SavedReportOut], **READ_ERRORS})
def saved_report_list_get(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's saved reports and those shared with their team."""
    return [_saved_out(request, r) for r in builder_selectors.saved_report_list(actor=request.user)]


@router.post("/reports/saved", response={201: SavedReportOut, **WRITE_ERRORS})
def saved_report_create(
    request: HttpRequest, payload: SavedReportIn, response: HttpResponse
) -> Status:
    report = builder_services.saved_report_create(
        actor=request.user,
        name=payload.name,
        definition=_definition(payload.definition),
        is_shared=payload.is_shared,
    )
    return Status(201, _saved_out(request, report, response))


@router.get("/reports/saved/{report_id}", response={200: SavedReportOut, **READ_ERRORS})
def saved_report_get(request: HttpRequest, report_id: Id, response: HttpResponse) -> Any:
    report = builder_selectors.saved_report_get(actor=request.user, report_id=report_id)
    return _saved_out(request, report, response)


@router.patch("/reports/saved/{report_id}", response={200: SavedReportOut, **WRITE_ERRORS})
def saved_report_update(
    request: HttpRequest,
    report_id: Id,
    payload: SavedReportPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Rename, share or change the definition (owner only). Stale If-Match -> 409."""
    report = builder_services.saved_report_update(
        actor=request.user,
        report_id=report_id,
        expected_version=expected_version(if_match, payload.version),
        name=payload.name,
        definition=_definition(payload.definition) if payload.definition else None,
        is_shared=payload.is_shared,
    )
    return _saved_out(request, report, response)


@router.delete("/reports/saved/{report_id}", response={204: None, **WRITE_ERRORS})
def saved_report_delete(request: HttpRequest, report_id: Id, if_match: IfMatch = None) -> Status:
    """Move to the recycle bin (the owner only); its schedules stop sending."""
    builder_services.saved_report_delete(
        actor=request.user, report_id=report_id, expected_version=expected_version(if_match)
    )
    return Status(204, None)


@router.post("/reports/saved/{report_id}/run", response={200: ReportResultOut, **READ_ERRORS})
def saved_report_run(request: HttpRequest, report_id: Id) -> dict[str, Any]:
    """Run a saved report in the caller's data scope."""
    report = builder_selectors.saved_report_get(actor=request.user, report_id=report_id)
    definition = definition_parse(report.definition)
    return _result_out(report_run(actor=request.user, definition=definition))


@router.get(
    "/reports/saved/{report_id}/export",
    response={200: None, **READ_ERRORS},
    openapi_extra=FILE_RESPONSE,
)
def saved_report_export(
    request: HttpRequest, report_id: Id, format: ExportFormat = "xlsx"
) -> HttpResponse:
    export = builder_services.report_export(actor=request.user, report_id=report_id, fmt=format)
    return _file(export)


@router.get(
    "/reports/saved/{report_id}/schedules", response={200: list[ScheduleOut], **READ_ERRORS}
)
def schedule_list_get(request: HttpRequest, report_id: Id) -> list[dict[str, Any]]:
    """The schedules of one of the caller's own reports."""
    builder_selectors.saved_report_get(actor=request.user, report_id=report_id)
    schedules = builder_selectors.schedule_list(actor=request.user, report_id=report_id)
    return [_schedule_out(s) for s in schedules]


@router.post("/reports/saved/{report_id}/schedules", response={201: ScheduleOut, **WRITE_ERRORS})
def schedule_create(request: HttpRequest, report_id: Id, payload: ScheduleIn) -> Status:
    """E-mail the report weekly or monthly; it runs as the report's owner."""
    data = payload.model_dump()
    recipients = data.pop("recipients")
    schedule = builder_services.schedule_create(
        actor=request.user, report_id=report_id, recipients=recipients, **data
    )
    return Status(201, _schedule_out(schedule))


@router.patch("/reports/schedules/{schedule_id}", response={200: ScheduleOut, **WRITE_ERRORS})
def schedule_update(
    request: HttpRequest, schedule_id: Id, payload: SchedulePatchIn, if_match: IfMatch = None
) -> dict[str, Any]:
    data = payload.model_dump(exclude_none=True)
    version = data.pop("version", None)
    schedule = builder_services.schedule_update(
        actor=request.user,
        schedule_id=schedule_id,
        expected_version=expected_version(if_match, version),
        **data,
    )
    return _schedule_out(schedule)


@router.delete("/reports/schedules/{schedule_id}", response={204: None, **WRITE_ERRORS})
def schedule_delete(request: HttpRequest, schedule_id: Id) -> Status:
    builder_services.schedule_delete(actor=request.user, schedule_id=schedule_id)
    return Status(204, None)
