"""Leads over the REST API: thin like the views (selectors in, services out)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.selectors import can_see_contact_details
from guanxi.leads import selectors, services
from guanxi.leads.models import Lead, LeadActivity, LeadSource
from guanxi.leads.schemas import (
    DuplicateCandidateOut,
    LeadActivityIn,
    LeadActivityOut,
    LeadConvertIn,
    LeadConvertOut,
    LeadFilter,
    LeadIn,
    LeadOut,
    LeadPageOut,
    LeadPatchIn,
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
from guanxi.platform.exceptions import NotFound

router = Router(tags=["leads"])


def _lead_out(lead: Lead, actor: Any, full: bool | None = None) -> dict[str, Any]:
    """Phones in their display form and e-mails as stored, masked for callers
    without `customers.view_contact_details` (the customers' rule, PIPL)."""
    full = can_see_contact_details(actor) if full is None else full
    mobile, phone = phones_for(actor, [lead.mobile or "", lead.phone or ""], full=full)
    return {
        "id": lead.pk,
        "version": lead.version,
        "name": lead.name,
        "company": lead.company,
        "title": lead.title,
        "mobile": mobile if lead.mobile else "",
        "phone": phone if lead.phone else "",
        "email": emails_for(actor, [lead.email], full=full)[0] if lead.email else "",
        "wechat_id": lead.wechat_id,
        "province": lead.province,
        "city": lead.city,
        "source": lead.source,
        "status": lead.status,
        "disqualify_reason": lead.disqualify_reason,
        "owner": lead.owner_id,
        "owner_name": str(lead.owner) if lead.owner_id else None,
        "team": lead.team_id,
        "notes": lead.notes,
        "assigned_at": lead.assigned_at,
        "last_followed_at": lead.last_followed_at,
        "converted_at": lead.converted_at,
        "converted_customer": lead.converted_customer_id,
        "converted_contact": lead.converted_contact_id,
        "created_by": lead.created_by_id,
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
    }


def _activity_out(activity: LeadActivity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "content": activity.content,
        "occurred_at": activity.occurred_at,
        "author": activity.author_id,
        "author_name": str(activity.author) if activity.author_id else None,
    }


def _answer(request: HttpRequest, response: HttpResponse, lead: Lead) -> dict[str, Any]:
    set_etag(response, lead.version)
    return _lead_out(lead, request.user)


def _fresh(request: HttpRequest, lead: Lead) -> Lead:
    """Re-read for the answer; a lead given to someone the caller cannot see is
    answered as written (the caller made it)."""
    try:
        return selectors.lead_get(actor=request.user, lead_id=lead.pk)
    except NotFound:
        return Lead.objects.select_related("owner").get(pk=lead.pk)


@router.get("/leads", response={200: LeadPageOut, **READ_ERRORS})
def lead_list(request: HttpRequest, filters: Query[LeadFilter]) -> dict[str, Any]:
    """Leads the caller may see: their own, their scope's, and their team's unowned
    (pool) leads. `q` searches name, company, mobile, e-mail and WeChat ID."""
    qs = selectors.lead_list(
        actor=request.user,
        filters=selectors.LeadFilter(
            q=filters.q,
            status=filters.status,
            source=filters.source,
            owner=selectors.OWNER_POOL if filters.is_pool else filters.owner,
        ),
    )
    full = can_see_contact_details(request.user)
    return keyset_page_out(
        qs,
        ordering=selectors.LEAD_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=lambda lead: _lead_out(lead, request.user, full),
    )


@router.get("/leads/{lead_id}", response={200: LeadOut, **READ_ERRORS})
def lead_get(request: HttpRequest, lead_id: Id, response: HttpResponse) -> Any:
    """One lead; the ETag header carries its version for If-Match."""
    return _answer(request, response, selectors.lead_get(actor=request.user, lead_id=lead_id))


@router.post("/leads", response={201: LeadOut, **WRITE_ERRORS})
def lead_create(request: HttpRequest, payload: LeadIn, response: HttpResponse) -> Status:
    """Create a lead (source defaults to "api"). Without `owner` the team's
    assignment rule picks one, or the lead waits in the team's shared pool."""
    fields = changes_of(payload)
    fields.setdefault("source", LeadSource.API)
    lead = services.lead_create(actor=request.user, **fields)
    return Status(201, _answer(request, response, _fresh(request, lead)))


@router.patch("/leads/{lead_id}", response={200: LeadOut, **WRITE_ERRORS})
def lead_update(
    request: HttpRequest,
    lead_id: Id,
    payload: LeadPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent. Send `If-Match` with the ETag from GET: stale -> 409.
    A converted lead is read-only (422)."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id, action="change")
    updated = services.lead_update(
        actor=request.user,
        lead=lead,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _answer(request, response, _fresh(request, updated))


@router.delete("/leads/{lead_id}", response={204: None, **WRITE_ERRORS})
def lead_delete(request: HttpRequest, lead_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id, action="delete")
    services.lead_delete(actor=request.user, lead=lead)
    return Status(204, None)


@router.post("/leads/{lead_id}/restore", response={200: LeadOut, **WRITE_ERRORS})
def lead_restore(request: HttpRequest, lead_id: Id, response: HttpResponse) -> Any:
    """Bring a lead back from the recycle bin (a live one is answered as it is)."""
    try:
        deleted = selectors.lead_get_deleted(actor=request.user, lead_id=lead_id)
    except NotFound:
        deleted = None
    if deleted is not None:
        services.lead_restore(actor=request.user, instance=deleted)
    return _answer(request, response, selectors.lead_get(actor=request.user, lead_id=lead_id))


@router.get("/leads/{lead_id}/activities", response={200: list[LeadActivityOut], **READ_ERRORS})
def lead_activity_list(request: HttpRequest, lead_id: Id) -> list[dict[str, Any]]:
    """The lead's follow-ups, newest first (at most 200)."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id)
    return [_activity_out(activity) for activity in selectors.lead_activity_list(lead=lead)]


@router.post("/leads/{lead_id}/activities", response={201: LeadActivityOut, **WRITE_ERRORS})
def lead_activity_create(request: HttpRequest, lead_id: Id, payload: LeadActivityIn) -> Status:
    """Record a follow-up (time defaults to now); a new lead becomes "contacted"."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id, action="change")
    activity = services.lead_activity_create(actor=request.user, lead=lead, **changes_of(payload))
    return Status(201, _activity_out(activity))


@router.get(
    "/leads/{lead_id}/duplicates", response={200: list[DuplicateCandidateOut], **READ_ERRORS}
)
def lead_duplicates(request: HttpRequest, lead_id: Id) -> list[dict[str, Any]]:
    """Existing customers with the lead's phone, e-mail or company name. `is_visible`
    says whether the caller may attach the lead to it."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id)
    return [
        {
            "customer": candidate.customer.pk,
            "customer_name": candidate.customer.name,
            "owner_name": str(candidate.customer.owner) if candidate.customer.owner_id else None,
            "reasons": candidate.reasons,
            "is_visible": candidate.is_visible,
        }
        for candidate in selectors.duplicate_candidates(actor=request.user, lead=lead)
    ]


@router.post("/leads/{lead_id}/convert", response={200: LeadConvertOut, **WRITE_ERRORS})
def lead_convert(
    request: HttpRequest,
    lead_id: Id,
    payload: LeadConvertIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Convert into a customer (new, or `customer` to attach to), a contact and
    optionally an opportunity, in one transaction; follow-ups move along. Errors
    name fields "customer.*", "contact.*", "opportunity.*"; nothing is written."""
    lead = selectors.lead_get(actor=request.user, lead_id=lead_id, action="convert")
    fields = changes_of(payload, exclude={"version"})
    result = services.lead_convert(
        actor=request.user,
        lead=lead,
        expected_version=expected_version(if_match, payload.version),
        **fields,
    )
    set_etag(response, result.lead.version)
    return {
        "lead": _lead_out(_fresh(request, result.lead), request.user),
        "customer": result.customer.pk,
        "contact": result.contact.pk,
        "opportunity": getattr(result.opportunity, "pk", None),
        "is_new_customer": result.is_new_customer,
    }
