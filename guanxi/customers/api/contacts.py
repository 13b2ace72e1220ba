"""Contacts over the REST API (scoped through their customer)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.customers import selectors, services
from guanxi.customers.api._common import (
    CONTACT_TAGS,
    custom_filters,
    deleted_get,
    router,
)
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Contact
from guanxi.customers.schemas import (
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPageOut,
    ContactPatchIn,
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


def _contact_out(contact: Contact, *, actor: Any, full: bool) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "version": contact.version,
        "customer": contact.customer_id,
        "customer_name": contact.customer.name,
        "name": contact.name,
        "name_pinyin": contact.name_pinyin,
        "title": contact.title,
        "phones": phones_for(actor, contact.phones, full=full),
        "emails": emails_for(actor, contact.emails, full=full),
        "wechat_id": contact.wechat_id,
        "is_primary": contact.is_primary,
        "birthday": contact.birthday,
        "birthday_calendar": contact.birthday_calendar,
        "lunar_birthday_month": contact.lunar_birthday_month,
        "lunar_birthday_day": contact.lunar_birthday_day,
        "lunar_birthday_is_leap_month": contact.lunar_birthday_is_leap_month,
        "notes": contact.notes,
        "custom_fields": contact.custom_fields or {},
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }


# --- contacts ----------------------------------------------------------------------


@router.get("/contacts", response={200: ContactPageOut, **READ_ERRORS}, tags=CONTACT_TAGS)
def contact_list(request: HttpRequest, filters: Query[ContactFilter]) -> dict[str, Any]:
    """Contacts of customers in your scope; `cf.<key>=value` filters custom fields."""
    selector_filter = selectors.ContactFilter(
        q=filters.q,
        customer=filters.customer,
        owner=filters.owner,
        created_from=filters.created_from,
        created_to=filters.created_to,
        custom=custom_filters(request),
    )
    qs = selectors.contact_list(actor=request.user, filters=selector_filter)
    full = selectors.can_see_contact_details(request.user)
    return keyset_page_out(
        qs,
        ordering=selectors.CONTACT_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=lambda contact: _contact_out(contact, actor=request.user, full=full),
    )


def _contact_reloaded(request: HttpRequest, response: HttpResponse, contact_id: int) -> Any:
    contact = selectors.contact_get(actor=request.user, contact_id=contact_id)
    set_etag(response, contact.version)
    full = selectors.can_see_contact_details(request.user)
    return _contact_out(contact, actor=request.user, full=full)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, tags=CONTACT_TAGS)
def contact_get(request: HttpRequest, contact_id: Id, response: HttpResponse) -> Any:
    return _contact_reloaded(request, response, contact_id)


@router.post("/contacts", response={201: ContactOut, **WRITE_ERRORS}, tags=CONTACT_TAGS)
def contact_create(request: HttpRequest, payload: ContactIn, response: HttpResponse) -> Status:
    customer = selectors.customer_get(actor=request.user, customer_id=payload.customer)
    fields = changes_of(payload, exclude={"customer"})
    contact = services.contact_create(actor=request.user, customer=customer, **fields)
    return Status(201, _contact_reloaded(request, response, contact.pk))


@router.patch(
    "/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS}, tags=CONTACT_TAGS
)
def contact_update(
    request: HttpRequest,
    contact_id: Id,
    payload: ContactPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    contact = selectors.contact_get(actor=request.user, contact_id=contact_id)
    services.contact_update(
        actor=request.user,
        contact=contact,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _contact_reloaded(request, response, contact.pk)


@router.delete("/contacts/{contact_id}", response={204: None, **WRITE_ERRORS}, tags=CONTACT_TAGS)
def contact_delete(request: HttpRequest, contact_id: Id) -> Status:
    contact = selectors.contact_get(actor=request.user, contact_id=contact_id)
    services.contact_delete(actor=request.user, contact=contact)
    return Status(204, None)


@router.post(
    "/contacts/{contact_id}/restore",
    response={200: ContactOut, **WRITE_ERRORS},
    tags=CONTACT_TAGS,
)
def contact_restore(request: HttpRequest, contact_id: Id, response: HttpResponse) -> Any:
    contact = deleted_get(request, Contact, contact_id)
    if contact is not None:
        services.contact_restore(actor=request.user, instance=contact)
    return _contact_reloaded(request, response, contact_id)
