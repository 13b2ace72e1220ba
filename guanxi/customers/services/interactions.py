"""Follow-up records (跟进记录)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.services._common import (
    clean_notes,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import is_in_scope, is_restorable
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current

INTERACTION_NOT_FOUND = _("This follow-up does not exist or you cannot see it.")
CUSTOMER_NOT_FOUND = _("This customer does not exist or you cannot see it.")
CONTENT_REQUIRED = _("Write what happened.")
CONTACT_OF_OTHER_CUSTOMER = _("Choose a contact of this customer.")
AUTHOR_NOT_A_USER = _("Choose an active user.")

EDITABLE_FIELDS = [
    "kind",
    "occurred_at",
    "contact",
    "content",
    "next_follow_up_on",
    "is_follow_up_done",
]


def _refresh_last_interaction(customer_id: int) -> None:
    latest = Interaction.objects.filter(customer_id=customer_id, deleted_at__isnull=True).aggregate(
        latest=Max("occurred_at")
    )["latest"]
    Customer.objects.filter(pk=customer_id).update(last_interaction_at=latest)


def _apply_fields(
    interaction: Interaction, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name == "content":
            interaction.content = clean_notes(value, errors, field="content")
        elif name == "contact":
            if value in (None, ""):
                interaction.contact = None
                continue
            contact_id = getattr(value, "pk", value)
            try:
                contact = Contact.objects.filter(
                    pk=int(contact_id),
                    customer_id=interaction.customer_id,
                    deleted_at__isnull=True,
                ).first()
            except (TypeError, ValueError):
                contact = None
            if contact is None:
                errors.setdefault("contact", []).append(str(CONTACT_OF_OTHER_CUSTOMER))
            interaction.contact = contact
        else:
            setattr(interaction, name, coerce_model_value(interaction, name, value, errors))


def _finish(interaction: Interaction, errors: dict[str, list[str]]) -> None:
    if not (interaction.content or "").strip():
        errors.setdefault("content", []).append(str(CONTENT_REQUIRED))
    full_clean_into(interaction, errors, exclude=["customer", "author"])
    if timezone.is_naive(interaction.occurred_at):
        interaction.occurred_at = timezone.make_aware(interaction.occurred_at)


@transaction.atomic
def interaction_create(
    *, actor: Any, customer: Customer, kind: str, content: str, author: Any = None, **fields: Any
) -> Interaction:
    """Record a follow-up on a customer the actor can see. Time defaults to now.

    The author defaults to the actor; an import names who did the follow-up.
    """
    require_permission(actor, "customers.add_interaction")
    if not is_in_scope(customer, actor=actor, action="view"):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    errors: dict[str, list[str]] = {}
    if author is not None and not (
        isinstance(author, get_user_model()) and getattr(author, "is_active", False)
    ):
        errors["author"] = [str(AUTHOR_NOT_A_USER)]
        author = None
    interaction = Interaction(
        customer=customer,
        author=author if author is not None else (actor if getattr(actor, "pk", None) else None),
        occurred_at=timezone.now(),
    )
    _apply_fields(interaction, {"kind": kind, "content": content, **fields}, errors)
    _finish(interaction, errors)
    interaction.save()
    _refresh_last_interaction(customer.pk)
    audit_record(
        actor=actor,
        action="customers.interaction.created",
        instance=interaction,
        changes={
            "after": snapshot(interaction, EDITABLE_FIELDS),
            "customer": customer.pk,
            "author": interaction.author_id,
        },
    )
    return interaction


@transaction.atomic
def interaction_update(
    *, actor: Any, interaction: Interaction, expected_version: int | None, **changes: Any
) -> Interaction:
    if not is_in_scope(interaction, actor=actor, action="change"):
        raise NotFound(str(INTERACTION_NOT_FOUND))
    current = lock_current(interaction)
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    before = snapshot(current, EDITABLE_FIELDS)
    errors: dict[str, list[str]] = {}
    _apply_fields(current, changes, errors)
    _finish(current, errors)
    current.version += 1
    current.save()
    _refresh_last_interaction(current.customer_id)
    audit_record(
        actor=actor,
        action="customers.interaction.updated",
        instance=current,
        changes=diff(before, snapshot(current, EDITABLE_FIELDS)),
    )
    return current


@transaction.atomic
def interaction_delete(*, actor: Any, interaction: Interaction) -> Interaction:
    if not is_in_scope(interaction, actor=actor, action="delete"):
        raise NotFound(str(INTERACTION_NOT_FOUND))
    current = lock_current(interaction)
    if mark_deleted(current, actor=actor):
        _refresh_last_interaction(current.customer_id)
        audit_record(actor=actor, action="customers.interaction.deleted", instance=current)
    return current


@transaction.atomic
def interaction_restore(*, actor: Any, instance: Interaction) -> Interaction:
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(INTERACTION_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        _refresh_last_interaction(current.customer_id)
        audit_record(actor=actor, action="customers.interaction.restored", instance=current)
    return current


@transaction.atomic
def interaction_follow_up_done(*, actor: Any, interaction: Interaction) -> Interaction:
    """Tick off a due follow-up from the home page."""
    return interaction_update(
        actor=actor, interaction=interaction, expected_version=None, is_follow_up_done=True
    )
