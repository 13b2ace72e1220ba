"""Contact writes. A contact lives under a customer and is scoped through it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.custom_fields import clean_custom_fields
from guanxi.customers.models import Contact, Customer, CustomFieldTarget
from guanxi.customers.selectors import custom_field_definitions
from guanxi.customers.services._common import (
    clean_emails,
    clean_lunar_birthday,
    clean_notes,
    clean_phones,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import is_in_scope, is_restorable
from guanxi.platform.search import build_search_text
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.text import pinyin_of, sort_key_of
from guanxi.platform.versioning import ensure_version, lock_current

CONTACT_NOT_FOUND = _("This contact does not exist or you cannot see it.")
CUSTOMER_NOT_FOUND = _("This customer does not exist or you cannot see it.")

EDITABLE_FIELDS = [
    "name",
    "title",
    "phones",
    "emails",
    "wechat_id",
    "is_primary",
    "birthday",
    "birthday_calendar",
    "lunar_birthday_month",
    "lunar_birthday_day",
    "lunar_birthday_is_leap_month",
    "notes",
    "custom_fields",
]


def contact_search_text(contact: Contact) -> str:
    return build_search_text(
        names=[contact.name],
        words=[contact.wechat_id],
        emails=contact.emails,
        phones=contact.phones,
    )


def _apply_fields(contact: Contact, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name == "phones":
            contact.phones = clean_phones(value, errors)
        elif name == "emails":
            contact.emails = clean_emails(value, errors)
        elif name == "notes":
            contact.notes = clean_notes(value, errors)
        elif name == "custom_fields":
            definitions = custom_field_definitions(CustomFieldTarget.CONTACT)
            cleaned, field_errors = clean_custom_fields(
                definitions, value, existing=contact.custom_fields
            )
            errors.update(field_errors)
            contact.custom_fields = cleaned
        else:
            setattr(contact, name, coerce_model_value(contact, name, value, errors))


def _finish(contact: Contact, errors: dict[str, list[str]]) -> None:
    if not contact.name:
        errors.setdefault("name", []).append(str(_("This field is required.")))
    clean_lunar_birthday(contact, errors)
    contact.name_pinyin = pinyin_of(contact.name)[:300]
    contact.sort_name = sort_key_of(contact.name)
    contact.search_text = contact_search_text(contact)
    full_clean_into(
        contact, errors, exclude=["search_text", "sort_name", "name_pinyin", "customer"]
    )


def _keep_one_primary(contact: Contact) -> None:
    """At most one primary contact per customer; the first contact becomes primary."""
    siblings = Contact.objects.filter(customer_id=contact.customer_id, deleted_at__isnull=True)
    if contact.is_primary:
        siblings.exclude(pk=contact.pk).filter(is_primary=True).update(is_primary=False)
    elif not siblings.filter(is_primary=True).exists():
        Contact.objects.filter(pk=contact.pk).update(is_primary=True)
        contact.is_primary = True


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, name: str, **fields: Any) -> Contact:
    """Add a contact to a customer the actor may edit."""
    if not is_in_scope(customer, actor=actor, action="change"):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    require_permission(actor, "customers.add_contact")
    errors: dict[str, list[str]] = {}
    contact = Contact(customer=customer)
    fields.setdefault("custom_fields", {})
    _apply_fields(contact, {"name": name, **fields}, errors)
    _finish(contact, errors)
    contact.save()
    _keep_one_primary(contact)
    audit_record(
        actor=actor,
        action="customers.contact.created",
        instance=contact,
        changes={"after": snapshot(contact, EDITABLE_FIELDS), "customer": customer.pk},
    )
    return contact


@transaction.atomic
def contact_update(
    *, actor: Any, contact: Contact, expected_version: int | None, **changes: Any
) -> Contact:
    if not is_in_scope(contact, actor=actor, action="change"):
        raise NotFound(str(CONTACT_NOT_FOUND))
    current = lock_current(contact)
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    before = snapshot(current, EDITABLE_FIELDS)
    errors: dict[str, list[str]] = {}
    _apply_fields(current, changes, errors)
    _finish(current, errors)
    current.version += 1
    current.save()
    _keep_one_primary(current)
    audit_record(
        actor=actor,
        action="customers.contact.updated",
        instance=current,
        changes=diff(before, snapshot(current, EDITABLE_FIELDS)),
    )
    return current


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> Contact:
    if not is_in_scope(contact, actor=actor, action="delete"):
        raise NotFound(str(CONTACT_NOT_FOUND))
    current = lock_current(contact)
    was_primary = current.is_primary
    current.is_primary = False
    if mark_deleted(current, actor=actor, also_save=("is_primary",)):
        if was_primary:
            successor = (
                Contact.objects.filter(customer_id=current.customer_id, deleted_at__isnull=True)
                .order_by("id")
                .first()
            )
            if successor is not None:
                Contact.objects.filter(pk=successor.pk).update(is_primary=True)
        audit_record(actor=actor, action="customers.contact.deleted", instance=current)
    return current


@transaction.atomic
def contact_restore(*, actor: Any, instance: Contact) -> Contact:
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(CONTACT_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        _keep_one_primary(current)
        audit_record(actor=actor, action="customers.contact.restored", instance=current)
    return current
