"""Analytics over the REST API, with the pages' scoping (selectors in, services out)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from guanxi.analytics import selectors, services
from guanxi.analytics.models import CustomerScore
from guanxi.analytics.schemas import ChurnListOut, CustomerScoreOut, WinBackIn, WinBackOut
from guanxi.analytics.scoring import churn_reason_text
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
