"""Follow-ups (interactions, 跟进记录) over the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.customers import selectors, services
from guanxi.customers.api._common import (
    INTERACTION_TAGS,
    deleted_get,
    router,
)
from guanxi.customers.models import Interaction
from guanxi.customers.schemas import (
    InteractionFilter,
    InteractionIn,
    InteractionOut,
    InteractionPageOut,
    InteractionPatchIn,
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


# --- interactions (follow-ups) ---------------------------------------------------------


@router.get(
    "/interactions", response={200: InteractionPageOut, **READ_ERRORS}, tags=INTERACTION_TAGS
)
def interaction_list(request: HttpRequest, filters: Query[InteractionFilter]) -> dict[str, Any]:
    """Follow-ups on customers in your scope, newest first."""
    qs = selectors.interaction_list(
        actor=request.user, customer_id=filters.customer, author_id=filters.author
    )
    return keyset_page_out(
        qs,
        ordering=["-occurred_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_interaction_out,
    )


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
    interaction = deleted_get(request, Interaction, interaction_id)
    if interaction is not None:
        services.interaction_restore(actor=request.user, instance=interaction)
    return _interaction_reloaded(request, response, interaction_id)
