"""REST API for customers, contacts, follow-ups (interactions) and tags.

Thin like the views: parse -> one selector or service -> schema. Reads go
through the selectors (which start from `scoped()`), so a record outside the
caller's scope is 404 here exactly as on the pages; writes go through the
services, which validate, audit and bump versions. Errors become problem+json
in guanxi.platform.api_errors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.customers import selectors, services
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Contact, Customer, Interaction, Tag
from guanxi.customers.schemas import (
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPageOut,
    ContactPatchIn,
    CustomerFilter,
    CustomerIn,
    CustomerOut,
    CustomerPageOut,
    CustomerPatchIn,
    InteractionFilter,
    InteractionIn,
    InteractionOut,
    InteractionPageOut,
    InteractionPatchIn,
    TagIn,
    TagListOut,
    TagOut,
    TagPatchIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import Id, IfMatch, changes_of, expected_version, set_etag
from guanxi.platform.exceptions import NotFound
from guanxi.platform.pagination import keyset_page
from guanxi.platform.selectors import recycle_bin_list

router = Router(tags=["customers"])

CUSTOM_FILTER_PREFIX = "cf."
CONTACT_TAGS = ["contacts"]
INTERACTION_TAGS = ["interactions"]
TAG_TAGS = ["tags"]


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    """Custom-field filters come as `cf.<key>=<value>` query parameters."""
    return {
        key[len(CUSTOM_FILTER_PREFIX) :]: value[:200]
        for key, value in request.GET.items()
        if key.startswith(CUSTOM_FILTER_PREFIX) and value
    }


def _deleted_get(request: HttpRequest, model: type, record_id: int) -> Any:
    """A record in the actor's recycle bin (delete scope), or None."""
    for _entry, rows in recycle_bin_list(actor=request.user, type_key=model._meta.label_lower):
        return rows.filter(pk=record_id).first()
    return None


# --- output ----------------------------------------------------------------------


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


def _interaction_out(interaction: Interaction) -> dict[str, Any]:
    contact = interaction.contact
    author = interaction.author
    return {
        "id": interaction.pk,
        "version": interaction.version,
        "customer": interaction.customer_id,
        "customer_name": interaction.customer.name,
        "contact": interaction.contact_id,
        "contact_name": contact.name if contact is not None else None,
        "kind": interaction.kind,
        "occurred_at": interaction.occurred_at,
        "author": interaction.author_id,
        "author_name": str(author) if author is not None else None,
        "content": interaction.content,
        "next_follow_up_on": interaction.next_follow_up_on,
        "is_follow_up_done": interaction.is_follow_up_done,
        "created_at": interaction.created_at,
        "updated_at": interaction.updated_at,
    }


def _tag_out(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "name": tag.name,
        "color": tag.color,
        "group": tag.group.name if tag.group_id and tag.group else None,
        "version": tag.version,
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
        custom=_custom_filters(request),
    )
    qs = selectors.customer_list(actor=request.user, filters=selector_filter)
    if filters.tag:
        qs = qs.distinct()
    page = keyset_page(
        qs,
        ordering=selectors.CUSTOMER_SORTS[filters.sort],
        cursor=filters.cursor,
        size=filters.limit,
    )
    full = selectors.can_see_contact_details(request.user)
    return {
        "items": [_customer_out(c, actor=request.user, full=full) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/customers/{customer_id}", response={200: CustomerOut, **READ_ERRORS})
def customer_get(request: HttpRequest, customer_id: Id, response: HttpResponse) -> dict[str, Any]:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    set_etag(response, customer.version)
    full = selectors.can_see_contact_details(request.user)
    return _customer_out(customer, actor=request.user, full=full)


def _customer_reloaded(request: HttpRequest, response: HttpResponse, customer_id: int) -> Any:
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    set_etag(response, customer.version)
    full = selectors.can_see_contact_details(request.user)
    return _customer_out(customer, actor=request.user, full=full)


@router.post("/customers", response={201: CustomerOut, **WRITE_ERRORS})
def customer_create(request: HttpRequest, payload: CustomerIn, response: HttpResponse) -> Status:
    fields = changes_of(payload)
    customer = services.customer_create(actor=request.user, **fields)
    return Status(201, _customer_reloaded(request, response, customer.pk))


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
    version = expected_version(if_match, payload.version)
    services.customer_update(
        actor=request.user,
        customer=customer,
        expected_version=version,
        **changes_of(payload, exclude={"version"}),
    )
    return _customer_reloaded(request, response, customer.pk)


@router.delete("/customers/{customer_id}", response={204: None, **WRITE_ERRORS})
def customer_delete(request: HttpRequest, customer_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    customer = selectors.customer_get(actor=request.user, customer_id=customer_id)
    services.customer_delete(actor=request.user, customer=customer)
    return Status(204, None)


@router.post("/customers/{customer_id}/restore", response={200: CustomerOut, **WRITE_ERRORS})
def customer_restore(request: HttpRequest, customer_id: Id, response: HttpResponse) -> Any:
    customer = _deleted_get(request, Customer, customer_id)
    if customer is not None:
        services.customer_restore(actor=request.user, instance=customer)
    return _customer_reloaded(request, response, customer_id)


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
        custom=_custom_filters(request),
    )
    qs = selectors.contact_list(actor=request.user, filters=selector_filter)
    page = keyset_page(
        qs,
        ordering=selectors.CONTACT_SORTS[filters.sort],
        cursor=filters.cursor,
        size=filters.limit,
    )
    full = selectors.can_see_contact_details(request.user)
    return {
        "items": [_contact_out(c, actor=request.user, full=full) for c in page.items],
        "next_cursor": page.next_cursor,
    }


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
    contact = _deleted_get(request, Contact, contact_id)
    if contact is not None:
        services.contact_restore(actor=request.user, instance=contact)
    return _contact_reloaded(request, response, contact_id)


# --- interactions (follow-ups) ---------------------------------------------------------


@router.get(
    "/interactions", response={200: InteractionPageOut, **READ_ERRORS}, tags=INTERACTION_TAGS
)
def interaction_list(request: HttpRequest, filters: Query[InteractionFilter]) -> dict[str, Any]:
    """Follow-ups on customers in your scope, newest first."""
    qs = selectors.interaction_list(
        actor=request.user, customer_id=filters.customer, author_id=filters.author
    )
    page = keyset_page(
        qs, ordering=["-occurred_at", "-id"], cursor=filters.cursor, size=filters.limit
    )
    return {
        "items": [_interaction_out(i) for i in page.items],
        "next_cursor": page.next_cursor,
    }


def _interaction_reloaded(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    interaction = selectors.interaction_get(actor=request.user, interaction_id=pk)
    set_etag(response, interaction.version)
    return _interaction_out(interaction)


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **READ_ERRORS},
    tags=INTERACTION_TAGS,
)
def interaction_get(request: HttpRequest, interaction_id: Id, response: HttpResponse) -> Any:
    return _interaction_reloaded(request, response, interaction_id)


@router.post("/interactions", response={201: InteractionOut, **WRITE_ERRORS}, tags=INTERACTION_TAGS)
def interaction_create(
    request: HttpRequest, payload: InteractionIn, response: HttpResponse
) -> Status:
    customer = selectors.customer_get(actor=request.user, customer_id=payload.customer)
    fields = changes_of(payload, exclude={"customer"})
    interaction = services.interaction_create(actor=request.user, customer=customer, **fields)
    return Status(201, _interaction_reloaded(request, response, interaction.pk))


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **WRITE_ERRORS},
    tags=INTERACTION_TAGS,
)
def interaction_update(
    request: HttpRequest,
    interaction_id: Id,
    payload: InteractionPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    interaction = selectors.interaction_get(actor=request.user, interaction_id=interaction_id)
    services.interaction_update(
        actor=request.user,
        interaction=interaction,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _interaction_reloaded(request, response, interaction.pk)


@router.delete(
    "/interactions/{interaction_id}",
    response={204: None, **WRITE_ERRORS},
    tags=INTERACTION_TAGS,
)
def interaction_delete(request: HttpRequest, interaction_id: Id) -> Status:
    interaction = selectors.interaction_get(actor=request.user, interaction_id=interaction_id)
    services.interaction_delete(actor=request.user, interaction=interaction)
    return Status(204, None)


@router.post(
    "/interactions/{interaction_id}/restore",
    response={200: InteractionOut, **WRITE_ERRORS},
    tags=INTERACTION_TAGS,
)
def interaction_restore(request: HttpRequest, interaction_id: Id, response: HttpResponse) -> Any:
    interaction = _deleted_get(request, Interaction, interaction_id)
    if interaction is not None:
        services.interaction_restore(actor=request.user, instance=interaction)
    return _interaction_reloaded(request, response, interaction_id)


# --- tags ------------------------------------------------------------------------------


def _tag_get(tag_id: int) -> Tag:
    tag = selectors.tag_list().filter(pk=tag_id).first()
    if tag is None:
        raise NotFound("tag")
    return tag


@router.get("/tags", response={200: TagListOut, **READ_ERRORS}, tags=TAG_TAGS)
def tag_list(request: HttpRequest) -> dict[str, Any]:
    """Every tag (tags are shared labels, visible to all staff)."""
    return {"items": [_tag_out(t) for t in selectors.tag_list()]}


@router.get("/tags/{tag_id}", response={200: TagOut, **READ_ERRORS}, tags=TAG_TAGS)
def tag_get(request: HttpRequest, tag_id: Id, response: HttpResponse) -> Any:
    tag = _tag_get(tag_id)
    set_etag(response, tag.version)
    return _tag_out(tag)


@router.post("/tags", response={201: TagOut, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_create(request: HttpRequest, payload: TagIn, response: HttpResponse) -> Status:
    tag = services.tag_create(actor=request.user, name=payload.name, color=payload.color)
    set_etag(response, tag.version)
    return Status(201, _tag_out(_tag_get(tag.pk)))


@router.patch("/tags/{tag_id}", response={200: TagOut, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_update(
    request: HttpRequest,
    tag_id: Id,
    payload: TagPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    tag = _tag_get(tag_id)
    services.tag_update(
        actor=request.user,
        tag=tag,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    tag = _tag_get(tag_id)
    set_etag(response, tag.version)
    return _tag_out(tag)


@router.delete("/tags/{tag_id}", response={204: None, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_delete(request: HttpRequest, tag_id: Id) -> Status:
    """Delete a tag: it is removed from every customer (tags are labels, not data)."""
    services.tag_delete(actor=request.user, tag=_tag_get(tag_id))
    return Status(204, None)
