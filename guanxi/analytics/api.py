"""Analytics over the REST API, with the pages' scoping (selectors in, services out)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router

from guanxi.analytics import selectors, services
from guanxi.analytics.dashboards import charts as dash_charts
from guanxi.analytics.dashboards import selectors as dash
from guanxi.analytics.dashboards.schemas import (
    ChartFilter,
    CustomerListFilter,
    DashboardFilter,
    DashboardOut,
    DrillPageOut,
    KpisOut,
)
from guanxi.analytics.models import CustomerScore
from guanxi.analytics.schemas import ChurnListOut, CustomerScoreOut, WinBackIn, WinBackOut
from guanxi.analytics.scoring import churn_reason_text
from guanxi.customers.models import Grade, LifecycleStage
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.exceptions import NotFound

router = Router(tags=["analytics"])
MAX_CHURN_ROWS = 500


def _score_out(score: CustomerScore) -> dict[str, Any]:
    customer = score.customer
    return {
        "customer": customer.pk,
        "customer_name": customer.name,
        "grade": customer.grade,
        "lifecycle_stage": customer.lifecycle_stage,
        **{
            name: getattr(score, name)
            for name in (
                "recency_days",
                "frequency",
                "monetary",
                "profit",
                "r_score",
                "f_score",
                "m_score",
                "rfm_score",
                "p_alive",
                "expected_purchases_90",
                "expected_purchases_365",
                "clv_12m",
                "is_at_risk",
                "value_at_risk",
                "computed_at",
            )
        },
        "churn_reasons": [
            {"code": reason.get("code", ""), "text": churn_reason_text(reason)}
            for reason in score.churn_reasons
        ],
    }


@router.get(
    "/analytics/customers/{customer_id}/score", response={200: CustomerScoreOut, **READ_ERRORS}
)
def customer_score_get(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    summary = selectors.customer_scores_summary(actor=request.user, customer_id=customer_id)
    if summary is None or summary.score is None:
        raise NotFound("Customer score not found.")
    return _score_out(summary.score)


@router.get("/analytics/churn", response={200: ChurnListOut, **READ_ERRORS})
def churn_list(request: HttpRequest, limit: Query[int] = 100) -> dict[str, Any]:
    """Warned customers in the caller's scope, highest value at risk first."""
    rows = selectors.churn_warning_list(actor=request.user)
    limit = max(1, min(limit, MAX_CHURN_ROWS))
    return {"count": rows.count(), "items": [_score_out(score) for score in rows[:limit]]}


@router.post("/analytics/win-backs", response={200: WinBackOut, **WRITE_ERRORS})
def win_back_create(request: HttpRequest, payload: WinBackIn) -> dict[str, Any]:
    win_back = services.win_back_start(actor=request.user, customer_id=payload.customer)
    return {
        "id": win_back.pk,
        "customer": win_back.customer_id,
        "task": win_back.task_id_ref,
        "started_at": win_back.started_at,
    }


# --- dashboards and KPIs (analytics.dashboards) ----------------------------------------


def _dashboard_inputs(
    request: HttpRequest, view: str | None, filters: Any
) -> tuple[dash.DashboardScope, dash.PeriodRef]:
    scope = dash.resolve_scope(actor=request.user, view=view, team_id=filters.team)
    state = dash.refresh_state()
    period = dash.resolve_period(
        preset=filters.preset,
        date_from=filters.date_from,
        date_to=filters.date_to,
        anchor_month=state.anchor_month if state else None,
    )
    return scope, period


def _period_out(period: dash.PeriodRef) -> dict[str, Any]:
    return {"kind": period.kind, "start": period.start, "end": period.end}


def _kpis_out(report: dash.KpiReport) -> list[dict[str, Any]]:
    return [
        {
            "code": kpi.code,
            "label": kpi.label,
            "unit": kpi.unit,
            "value": kpi.value,
            "previous": kpi.previous,
            "last_year": kpi.last_year,
            "vs_previous_percent": kpi.vs_previous,
            "vs_last_year_percent": kpi.vs_last_year,
            "definition": kpi.definition,
            "is_available": kpi.is_available,
        }
        for kpi in report.kpis
    ]


def _as_of(report: dash.KpiReport) -> Any:
    return report.as_of.refreshed_at if report.as_of else None


@router.get("/analytics/kpis", response={200: KpisOut, **READ_ERRORS})
def kpis_get(request: HttpRequest, filters: Query[DashboardFilter]) -> dict[str, Any]:
    """KPIs of a period (presets this_month, last_month, this_quarter, this_year,
    last_12_months, or custom `from`/`to`) beside the previous period and the same
    period last year; view mine / team / company (company needs the "all" scope)."""
    scope, period = _dashboard_inputs(request, filters.view, filters)
    report = dash.kpi_report(scope=scope, period=period)
    return {
        "view": scope.view,
        "team": scope.team.pk if scope.team else None,
        "period": _period_out(report.period),
        "previous_period": _period_out(report.previous),
        "last_year_period": _period_out(report.last_year),
        "kpis": _kpis_out(report),
        "customers_by_stage": {k: list(v) for k, v in report.by_stage.items()},
        "customers_by_grade": {k or "none": list(v) for k, v in report.by_grade.items()},
        "notes": report.notes,
        "data_as_of": _as_of(report),
    }


@router.get("/analytics/dashboards/{view}", response={200: DashboardOut, **READ_ERRORS})
def dashboard_get(request: HttpRequest, view: str, filters: Query[ChartFilter]) -> dict[str, Any]:
    """The chart data of one dashboard; each element's `url` is its drill-down list."""
    scope, period = _dashboard_inputs(request, view, filters)
    board = dash.dashboard_get(scope=scope, period=period)
    cells = board.cells
    return {
        "view": scope.view,
        "team": scope.team.pk if scope.team else None,
        "period": _period_out(period),
        "kpis": _kpis_out(board.kpis),
        "grades": [
            {
                "key": grade or "none",
                "customers": cells.by_grade.get(grade, 0),
                "url": dash_charts.customers_url(scope, grade=grade or dash.NO_GRADE),
            }
            for grade in [*Grade.values, ""]
        ],
        "stages": [
            {
                "key": stage,
                "customers": cells.by_stage.get(stage, 0),
                "url": dash_charts.customers_url(scope, stage=stage),
            }
            for stage in LifecycleStage.values
        ],
        "rfm": [
            {
                "r": r,
                "f": f,
                "customers": cells.rfm.get((r, f), 0),
                "url": dash_charts.customers_url(scope, r=r, f=f),
            }
            for r in range(1, 6)
            for f in range(1, 6)
        ],
        "flow": [
            {
                "from_stage": before,
                "to_stage": after,
                "changes": changes,
                "url": dash_charts.customers_url(
                    scope,
                    moved_from=before,
                    moved_to=after,
                    since=period.start.isoformat(),
                    until=period.end.isoformat(),
                ),
            }
            for before, after, changes in board.flow
        ],
        "churn_risks": [
            {
                "customer": score.customer_id,
                "customer_name": score.customer.name,
                "value_at_risk": score.value_at_risk,
                "win_back_started_at": win_back.started_at if win_back else None,
            }
            for score, win_back in board.churn
        ],
        "churn_warnings": cells.at_risk,
        "value_at_risk": cells.value_at_risk,
        "top_customers": [
            {
                "customer": score.customer_id,
                "customer_name": score.customer.name,
                "clv_12m": score.clv_12m,
                "monetary": score.monetary,
            }
            for score in board.top
        ],
        "sales_trend": [
            {
                "month": month.month,
                "revenue": month.revenue,
                "profit": month.profit,
                "orders": month.orders,
                "orders_url": month.orders_url,
            }
            for month in board.trend.months
        ]
        if board.trend is not None
        else None,
        "data_as_of": _as_of(board.kpis),
    }


@router.get("/analytics/customers", response={200: DrillPageOut, **READ_ERRORS})
def dashboard_customers_list(
    request: HttpRequest, filters: Query[CustomerListFilter]
) -> dict[str, Any]:
    """The customers behind a chart element (grade, stage, R/F cell, stage move,
    churn warning), newest first; pass `next_after` as `after` for the next page."""
    scope = dash.resolve_scope(actor=request.user, view=filters.view, team_id=filters.team)
    page = dash.drilldown_customers(
        scope=scope,
        filters=dash.CustomerFilter(
            grade=filters.grade,
            stage=filters.stage,
            r=filters.r,
            f=filters.f,
            at_risk=filters.at_risk,
            moved_from=filters.moved_from,
            moved_to=filters.moved_to,
            since=filters.since,
            until=filters.until,
            after=filters.after,
            limit=filters.limit,
        ),
    )
    items = []
    for customer in page.rows:
        # No score row: the reverse one-to-one raises an AttributeError subclass.
        score = getattr(customer, "score", None)
        items.append(
            {
                "id": customer.pk,
                "name": customer.name,
                "owner": customer.owner_id,
                "grade": customer.grade,
                "lifecycle_stage": customer.lifecycle_stage,
                "r_score": score.r_score if score else None,
                "f_score": score.f_score if score else None,
                "m_score": score.m_score if score else None,
                "clv_12m": score.clv_12m if score else None,
                "url": reverse("customers:customer_detail", args=[customer.pk]),
            }
        )
    return {"items": items, "next_after": page.next_after}
