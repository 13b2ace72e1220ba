"""Opportunities and pipelines over the REST API: thin like the views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.deals import selectors, services
from guanxi.deals.models import Opportunity, Pipeline
from guanxi.deals.schemas import (
    LoseIn,
    OpportunityFilterIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPageOut,
    OpportunityPatchIn,
    PipelineOut,
    ReopenIn,
    StageChangeIn,
    WinIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import (
    Id,
    IfMatch,
    changes_of,
    expected_version,
    keyset_page_out,
    set_etag,
)

router = Router(tags=["opportunities"])


def _out(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "id": opportunity.pk,
        "version": opportunity.version,
        "title": opportunity.title,
        "customer": opportunity.customer_id,
        "customer_name": opportunity.customer.name,
        "contact": opportunity.contact_id,
        "pipeline": opportunity.pipeline_id,
        "stage": opportunity.stage_id,
        "stage_name": opportunity.stage.name,
        "probability": opportunity.stage.probability,
        "amount": opportunity.amount,
        "weighted_amount": opportunity.weighted_amount,
        "currency": opportunity.currency,
        "expected_close_on": opportunity.expected_close_on,
        "owner": opportunity.owner_id,
        "owner_name": str(opportunity.owner) if opportunity.owner_id else None,
        "team": opportunity.team_id,
        "competitors": opportunity.competitors,
        "next_step": opportunity.next_step,
        "notes": opportunity.notes,
        "status": opportunity.status,
        "lost_reason": opportunity.lost_reason,
        "won_at": opportunity.won_at,
        "lost_at": opportunity.lost_at,
        "stage_entered_at": opportunity.stage_entered_at,
        "created_at": opportunity.created_at,
        "updated_at": opportunity.updated_at,
    }


def _answer(request: HttpRequest, response: HttpResponse, opportunity: Opportunity) -> Any:
    fresh = selectors.opportunity_get(actor=request.user, opportunity_id=opportunity.pk)
    set_etag(response, fresh.version)
    return _out(fresh)


def _changeable(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return selectors.opportunity_get(
        actor=request.user, opportunity_id=opportunity_id, action="change"
    )


@router.get("/opportunities", response={200: OpportunityPageOut, **READ_ERRORS})
def opportunity_list(request: HttpRequest, filters: Query[OpportunityFilterIn]) -> Any:
    """Opportunities the caller may see (own / team / sub-teams / all by role)."""
    qs = selectors.opportunity_list(
        actor=request.user,
        filters=selectors.OpportunityFilter(
            q=filters.q,
            status=filters.status,
            pipeline=filters.pipeline,
            stage=filters.stage,
            owner=filters.owner,
            team=filters.team,
            customer=filters.customer,
            close_from=filters.close_from,
            close_to=filters.close_to,
        ),
    )
    return keyset_page_out(
        qs,
        ordering=selectors.OPPORTUNITY_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_out,
    )


@router.get("/opportunities/{opportunity_id}", response={200: OpportunityOut, **READ_ERRORS})
def opportunity_get(request: HttpRequest, opportunity_id: Id, response: HttpResponse) -> Any:
    """One opportunity; the ETag header carries its version for If-Match."""
    opportunity = selectors.opportunity_get(actor=request.user, opportunity_id=opportunity_id)
    set_etag(response, opportunity.version)
    return _out(opportunity)


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS})
def opportunity_create(
    request: HttpRequest, payload: OpportunityIn, response: HttpResponse
) -> Status:
    """Create an opportunity (owner: the caller; pipeline: the default; stage: its first)."""
    opportunity = services.opportunity_create(actor=request.user, **changes_of(payload))
    return Status(201, _answer(request, response, opportunity))


@router.patch("/opportunities/{opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_update(
    request: HttpRequest,
    opportunity_id: Id,
    payload: OpportunityPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent. Send `If-Match` with the ETag from GET: stale -> 409."""
    updated = services.opportunity_update(
        actor=request.user,
        opportunity=_changeable(request, opportunity_id),
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _answer(request, response, updated)


@router.post(
    "/opportunities/{opportunity_id}/stage", response={200: OpportunityOut, **WRITE_ERRORS}
)
def opportunity_stage_change(
    request: HttpRequest,
    opportunity_id: Id,
    payload: StageChangeIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Move to a stage of the same pipeline (a won/lost stage wins/loses it; lost needs
    `lost_reason`). Needs the version (body or If-Match) when the stage changes."""
    moved = services.opportunity_stage_change(
        actor=request.user,
        opportunity=_changeable(request, opportunity_id),
        stage=payload.stage,
        expected_version=expected_version(if_match, payload.version),
        lost_reason=payload.lost_reason,
        after_id=payload.after,
        before_id=payload.before,
    )
    return _answer(request, response, moved)


@router.post("/opportunities/{opportunity_id}/win", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_win(
    request: HttpRequest,
    opportunity_id: Id,
    payload: WinIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Win an open opportunity."""
    won = services.opportunity_win(
        actor=request.user,
        opportunity=_changeable(request, opportunity_id),
        expected_version=expected_version(if_match, payload.version),
        stage=payload.stage,
    )
    return _answer(request, response, won)


@router.post("/opportunities/{opportunity_id}/lose", response={200: OpportunityOut, **WRITE_ERRORS})
def opportunity_lose(
    request: HttpRequest,
    opportunity_id: Id,
    payload: LoseIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Lose an open opportunity, with a reason."""
    lost = services.opportunity_lose(
        actor=request.user,
        opportunity=_changeable(request, opportunity_id),
        expected_version=expected_version(if_match, payload.version),
        reason=payload.reason,
        stage=payload.stage,
    )
    return _answer(request, response, lost)


@router.post(
    "/opportunities/{opportunity_id}/reopen", response={200: OpportunityOut, **WRITE_ERRORS}
)
def opportunity_reopen(
    request: HttpRequest,
    opportunity_id: Id,
    payload: ReopenIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Reopen a won or lost opportunity (its close date must be today or later)."""
    reopened = services.opportunity_reopen(
        actor=request.user,
        opportunity=_changeable(request, opportunity_id),
        expected_version=expected_version(if_match, payload.version),
        stage=payload.stage,
        expected_close_on=payload.expected_close_on,
    )
    return _answer(request, response, reopened)


@router.delete("/opportunities/{opportunity_id}", response={204: None, **WRITE_ERRORS})
def opportunity_delete(request: HttpRequest, opportunity_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    opportunity = selectors.opportunity_get(
        actor=request.user, opportunity_id=opportunity_id, action="delete"
    )
    services.opportunity_delete(actor=request.user, opportunity=opportunity)
    return Status(204, None)


@router.post(
    "/opportunities/{opportunity_id}/restore", response={200: OpportunityOut, **WRITE_ERRORS}
)
def opportunity_restore(request: HttpRequest, opportunity_id: Id, response: HttpResponse) -> Any:
    """Bring an opportunity back from the recycle bin (a live one is answered as it is)."""
    deleted = (
        selectors.opportunity_list(actor=request.user, action="delete", include_deleted=True)
        .filter(pk=opportunity_id, deleted_at__isnull=False)
        .first()
    )
    if deleted is not None:
        services.opportunity_restore(actor=request.user, instance=deleted)
    opportunity = selectors.opportunity_get(actor=request.user, opportunity_id=opportunity_id)
    set_etag(response, opportunity.version)
    return _out(opportunity)


def _pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "is_default": pipeline.is_default,
        "is_active": pipeline.is_active,
        "order": pipeline.order,
        "stages": [
            {
                "id": stage.pk,
                "name": stage.name,
                "order": stage.order,
                "probability": stage.probability,
                "kind": stage.kind,
            }
            for stage in pipeline.stage_list  # type: ignore[attr-defined]
        ],
    }


@router.get("/pipelines", response={200: list[PipelineOut], **READ_ERRORS})
def pipeline_list(request: HttpRequest) -> Any:
    """Active pipelines with their stages in order (default first)."""
    return [_pipeline_out(pipeline) for pipeline in selectors.pipeline_list(actor=request.user)]
