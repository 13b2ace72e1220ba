"""Shared pool over the REST API: list, claim, release, assign.

A claim that loses (already claimed) or would exceed the limit answers 409
problem+json with a clear `detail`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import keyset_page_out
from guanxi.pool import selectors, services
from guanxi.pool.models import PoolEvent
from guanxi.pool.schemas import (
    PoolAssignIn,
    PoolClaimIn,
    PoolCustomerPageOut,
    PoolEventOut,
    PoolFilter,
    PoolLeadPageOut,
    PoolReleaseIn,
)

router = Router(tags=["pool"])


def _filters(filters: PoolFilter) -> selectors.PoolFilter:
    return selectors.PoolFilter(
        q=filters.q,
        province=filters.province,
        source=filters.source,
        industry=filters.industry,
        min_days_in_pool=filters.min_days_in_pool,
    )


def _customer_out(customer: Any) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "name": customer.name,
        "industry": customer.industry,
        "source": customer.source,
        "province": customer.province,
        "city": customer.city,
        "team": customer.team_id,
        "team_name": str(customer.team) if customer.team_id else None,
        "in_pool_since": customer.in_pool_since,
    }


def _lead_out(lead: Any) -> dict[str, Any]:
    return {
        "id": lead.pk,
        "name": lead.name,
        "company": lead.company,
        "status": lead.status,
        "source": lead.source,
        "province": lead.province,
        "city": lead.city,
        "team": lead.team_id,
        "team_name": str(lead.team) if lead.team_id else None,
        "in_pool_since": lead.in_pool_since,
    }


def _event_out(event: PoolEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "customer": event.customer_id,
        "lead": event.lead_id,
        "owner": event.owner_id,
        "actor": event.actor_id,
        "team": event.team_id,
        "rule": event.rule_id,
        "recycle_reason": event.recycle_reason,
        "reason": event.reason,
        "created_at": event.created_at,
    }


@router.get("/pool/customers", response={200: PoolCustomerPageOut, **READ_ERRORS})
def pool_customer_list(request: HttpRequest, filters: Query[PoolFilter]) -> dict[str, Any]:
    """Unowned customers in the caller's pool, newest first (keyset pages)."""
    return keyset_page_out(
        selectors.pool_customer_list(actor=request.user, filters=_filters(filters)),
        ordering=selectors.POOL_SORTS["-id"],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_customer_out,
    )


@router.get("/pool/leads", response={200: PoolLeadPageOut, **READ_ERRORS})
def pool_lead_list(request: HttpRequest, filters: Query[PoolFilter]) -> dict[str, Any]:
    """Unowned leads in the caller's pool, newest first (keyset pages)."""
    return keyset_page_out(
        selectors.pool_lead_list(actor=request.user, filters=_filters(filters)),
        ordering=selectors.POOL_SORTS["-id"],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_lead_out,
    )


@router.post("/pool/claim", response={200: PoolEventOut, **WRITE_ERRORS})
def pool_claim(request: HttpRequest, payload: PoolClaimIn) -> dict[str, Any]:
    """Claim one customer or lead; 409 when someone else has it or you are at your limit."""
    event = services.pool_claim(actor=request.user, customer=payload.customer, lead=payload.lead)
    return _event_out(event)


@router.post("/pool/release", response={200: PoolEventOut, **WRITE_ERRORS})
def pool_release(request: HttpRequest, payload: PoolReleaseIn) -> dict[str, Any]:
    """Put a record you hold (or, as a manager, one in your scope) back, with a reason."""
    event = services.pool_release(
        actor=request.user, customer=payload.customer, lead=payload.lead, reason=payload.reason
    )
    return _event_out(event)


@router.post("/pool/assign", response={200: PoolEventOut, **WRITE_ERRORS})
def pool_assign(request: HttpRequest, payload: PoolAssignIn) -> dict[str, Any]:
    """A manager hands a pool record to a rep they manage (the rep's limit holds)."""
    event = services.pool_assign(
        actor=request.user,
        assignee=payload.assignee,
        customer=payload.customer,
        lead=payload.lead,
    )
    return _event_out(event)
