"""Customers over the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.customers import selectors, services
from guanxi.customers.api._common import (
    custom_filters,
    deleted_get,
    router,
)
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Customer
from guanxi.customers.schemas import (
    CustomerFilter,
    CustomerIn,
    CustomerOut,
    CustomerPageOut,
    CustomerPatchIn,
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


def _customer_out(customer: Customer, *, actor: Any, full: bool) -> dict[str, Any]:
    owner = customer.owner
    team = customer.team
    return {
        "id": customer.pk,
        "version": customer.version,
        "kind": customer.kind,
        "name": customer.name,
        "name_pinyin": customer.name_pinyin,
        "short_name": customer.short_name,
        "industry": customer.industry,
        "source": customer.source,
        "grade": customer.grade,
        "lifecycle_stage": customer.lifecycle_stage,
        "owner": customer.owner_id,
        "owner_name": str(owner) if owner is not None else None,
        "team": customer.team_id,
        "team_name": team.name if team is not None else None,
        "tags": [{"id": t.pk, "name": t.name, "color": t.color} for t in customer.tags.all()],
        "phones": phones_for(actor, customer.phones, full=full),
        "emails": emails_for(actor, customer.emails, full=full),
        "wechat_id": customer.wechat_id,
        "province": customer.province,
        "city": customer.city,
        "district": customer.district,
        "street": customer.street,
        "preferred_channel": customer.preferred_channel,
        "language": customer.language,
        "time_zone": customer.time_zone,
        "birthday": customer.birthday,
        "birthday_calendar": customer.birthday_calendar,
        "lunar_birthday_month": customer.lunar_birthday_month,
        "lunar_birthday_day": customer.lunar_birthday_day,
        "lunar_birthday_is_leap_month": customer.lunar_birthday_is_leap_month,
        "notes": customer.notes,
        "custom_fields": customer.custom_fields or {},
        "last_interaction_at": customer.last_interaction_at,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


# --- customers ---------------------------------------------------------------------


@router.get("/customers", response={200: CustomerPageOut, **READ_ERRORS})
def customer_list(request: HttpRequest, filters: Query[CustomerFilter]) -> dict[str, Any]:
    """Customers in your scope, newest first by default; `cf.<key>=value` filters custom fields."""
    selector_filter = selectors.CustomerFilter(
        q=filters.q,
        owner=filters.owner,
        team=filters.team,
        tag=filters.tag,
        grade=filters.grade,
        stage=filters.stage,
        source=filters.source,
        created_from=filters.created_from,
        created_to=filters.created_to,
        updated_from=filters.updated_from,
        updated_to=filters.updated_to,
        custom=custom_filters(request),
    )
    qs = selectors.customer_list(actor=request.user, filters=selector_filter)
    full = selectors.can_see_contact_details(request.user)
    return keyset_page_out(
        qs,
        ordering=selectors.CUSTOMER_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=lambda customer: _customer_out(customer, actor=request.user, full=full),
    )


@router.get("/customers/{customer_id}", response={200: CustomerOut, **READ_ERRORS})
def customer_get(request: HttpRequest, customer_id: Id, response: HttpResponse) -> Any:
    """One customer in your scope; the ETag header carries its version for If-Match."""
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    return _customer_answer(request, response, customer)


def _customer_answer(request: HttpRequest, response: HttpResponse, customer: Customer) -> Any:
    set_etag(response, customer.version)
    full = selectors.can_see_contact_details(request.user)
    return _customer_out(customer, actor=request.user, full=full)


def _customer_after_write(request: HttpRequest, response: HttpResponse, written: Customer) -> Any:
    """The customer as stored after a write, re-read through the selector.

    A write may move it out of the caller's scope (a manager hands it to another
    team): the write succeeded, so answer with what the service returned.
    """
    try:
        customer = selectors.customer_get(actor=request.user, customer_id=written.pk)
    except NotFound:
        customer = written
    return _customer_answer(request, response, customer)


@router.post("/customers", response={201: CustomerOut, **WRITE_ERRORS})
def customer_create(request: HttpRequest, payload: CustomerIn, response: HttpResponse) -> Status:
    fields = changes_of(payload)
    customer = services.customer_create(actor=request.user, **fields)
    return Status(201, _customer_after_write(request, response, customer))


@router.patch("/customers/{customer_id}", response={200: CustomerOut, **WRITE_ERRORS})
def customer_update(
    request: HttpRequest,
    customer_id: Id,
    payload: CustomerPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change the fields sent. Send `If-Match` with the ETag from GET: stale -> 409."""
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    updated = services.customer_update(
        actor=request.user,
        customer=customer,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _customer_after_write(request, response, updated)


@router.delete("/customers/{customer_id}", response={204: None, **WRITE_ERRORS})
def customer_delete(request: HttpRequest, customer_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.post("/customers/{customer_id}/restore", response={200: CustomerOut, **WRITE_ERRORS})
def customer_restore(request: HttpRequest, customer_id: Id, response: HttpResponse) -> Any:
    """Bring a customer back from the recycle bin (a live one is answered as it is)."""
    customer = deleted_get(request, Customer, customer_id)
    if customer is not None:
        services.customer_restore(actor=request.user, instance=customer)
    return customer_get(request, customer_id, response)
