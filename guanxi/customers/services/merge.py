"""Merging two customers into one, and undoing it.

`customer_merge` keeps the survivor, takes the chosen field values from the
other, unions phones, e-mails, tags and custom field values, moves every row
that points at the other customer to the survivor, and moves the other to the
recycle bin. A `CustomerMerge` row keeps what `customer_merge_undo` needs.

Rows of other apps that point at a customer (orders, tickets, …) are moved by
merge handlers. An app registers one per model in its AppConfig.ready():

    def move_orders(*, actor, source, target, ids=None) -> list[int]:
        qs = Order.objects.filter(customer=source)   # include soft-deleted rows
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        moved = list(qs.values_list("pk", flat=True))
        qs.update(customer=target)
        return moved

    register_merge_handler(move_orders, name="sales.order")

On merge a handler is called with source=other, target=survivor, ids=None and
returns the ids it moved; on undo the same handler is called with
source=survivor, target=other and those ids, and must move exactly them back.
Handlers run inside the merge's transaction and must not commit or enqueue work
outside `transaction.on_commit`.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import (
    Contact,
    ContactDuplicatePair,
    ContactMerge,
    Customer,
    CustomerMerge,
    DuplicatePair,
    DuplicatePairStatus,
    Interaction,
)
from guanxi.customers.services import contacts as contact_services
from guanxi.customers.services._common import (
    INVALID_INPUT,
    MAX_EMAILS,
    MAX_PHONES,
    require_permission,
)
from guanxi.customers.services.customers import (
    CUSTOMER_NOT_FOUND,
    EDITABLE_FIELDS,
    _apply_fields,
    _finish,
    customer_snapshot,
)
from guanxi.platform.audit import audit_record, diff, jsonable, snapshot
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.scoping import is_in_scope, scoped
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version

SAME_CUSTOMER = _("Choose two different customers.")
MERGE_NOT_FOUND = _("This merge does not exist or you cannot undo it.")
ALREADY_UNDONE = _("This merge has already been undone.")
SURVIVOR_CHANGED = _(
    "The merged customer was changed after the merge; undo would overwrite those changes."
)
UNKNOWN_CHOICE = _("Choose this value from one of the two customers.")

# Fields whose value the user picks from one of the two records. Phones, e-mails,
# tags and custom field values are merged (union), not picked.
MERGE_FIELDS = [
    "name",
    "kind",
    "short_name",
    "industry",
    "source",
    "grade",
    "lifecycle_stage",
    "owner",
    "wechat_id",
    "province",
    "city",
    "district",
    "street",
    "preferred_channel",
    "language",
    "time_zone",
    "birthday",
    "notes",
]
BIRTHDAY_FIELDS = [
    "birthday_calendar",
    "lunar_birthday_month",
    "lunar_birthday_day",
    "lunar_birthday_is_leap_month",
]
SURVIVOR, OTHER = "survivor", "other"


class MergeHandler(Protocol):
    def __call__(
        self, *, actor: Any, source: Customer, target: Customer, ids: list[int] | None = None
    ) -> list[int]: ...


_handlers: dict[str, MergeHandler] = {}


def register_merge_handler(fn: MergeHandler, *, name: str | None = None) -> None:
    """Let an app move its rows from the merged-away customer (see the module docstring)."""
    _handlers[name or f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"] = fn


def merge_handlers() -> dict[str, MergeHandler]:
    return dict(_handlers)


def _mover(model: type[Any]) -> MergeHandler:
    def move(
        *, actor: Any, source: Customer, target: Customer, ids: list[int] | None = None
    ) -> list[int]:
        qs = model._default_manager.filter(customer=source)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        moved = sorted(qs.values_list("pk", flat=True))
        model._default_manager.filter(pk__in=moved).update(customer=target)
        return moved

    return move


register_merge_handler(_mover(Contact), name="customers.contact")
register_merge_handler(_mover(Interaction), name="customers.interaction")


def default_field_choices(survivor: Customer, other: Customer) -> dict[str, str]:
    """Per field: the survivor's value unless it is empty, or the other's is non-empty
    and the other record is the more recently updated one."""
    choices: dict[str, str] = {}
    other_is_newer = (other.updated_at or timezone.now()) > (survivor.updated_at or timezone.now())
    for name in MERGE_FIELDS:
        mine = getattr(survivor, Customer._meta.get_field(name).attname)
        theirs = getattr(other, Customer._meta.get_field(name).attname)
        if _is_empty(theirs):
            choices[name] = SURVIVOR
        elif _is_empty(mine) or (other_is_newer and mine != theirs):
            choices[name] = OTHER
        else:
            choices[name] = SURVIVOR
    return choices


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _check_versions(current: Customer, expected_versions: dict[Any, Any] | None) -> None:
    if not expected_versions:
        return
    expected = expected_versions.get(current.pk, expected_versions.get(str(current.pk)))
    ensure_version(current, expected, compare_fields=EDITABLE_FIELDS)


def _locked_pair(survivor: Customer, other: Customer) -> tuple[Customer, Customer]:
    """Lock both rows in id order so two merges of the same pair cannot deadlock."""
    rows = {
        row.pk: row
        for row in Customer.objects.select_for_update()
        .filter(pk__in=[survivor.pk, other.pk], deleted_at__isnull=True)
        .order_by("pk")
    }
    if survivor.pk not in rows or other.pk not in rows:
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    return rows[survivor.pk], rows[other.pk]


def _union(first: list[Any], second: list[Any], limit: int) -> list[Any]:
    return list(dict.fromkeys([*(first or []), *(second or [])]))[:limit]


@transaction.atomic
def customer_merge(
    *,
    actor: Any,
    survivor: Customer,
    other: Customer,
    field_choices: dict[str, str] | None = None,
    expected_versions: dict[Any, Any] | None = None,
    pair: DuplicatePair | None = None,
) -> CustomerMerge:
    """Merge `other` into `survivor`; returns the CustomerMerge record (for undo).

    Needs change permission and scope on both customers (NotFound otherwise) and
    refuses with ConflictError when either version in `expected_versions`
    ({customer_id: version}) is stale; nothing is written then. `field_choices`
    maps a field of MERGE_FIELDS to "survivor" or "other" (missing: survivor).
    Writes a `customers.customer.merged` audit entry on both customers.
    """
    require_permission(actor, "customers.change_customer")
    if survivor.pk == other.pk:
        raise ValidationError(str(INVALID_INPUT), field_errors={"survivor": [str(SAME_CUSTOMER)]})
    for customer in (survivor, other):
        if not is_in_scope(customer, actor=actor, action="change"):
            raise NotFound(str(CUSTOMER_NOT_FOUND))
    current, victim = _locked_pair(survivor, other)
    _check_versions(current, expected_versions)
    _check_versions(victim, expected_versions)
    field_choices = field_choices or {}
    errors: dict[str, list[str]] = {}
    for name, choice in field_choices.items():
        if name not in MERGE_FIELDS or choice not in (SURVIVOR, OTHER):
            errors.setdefault(name, []).append(str(UNKNOWN_CHOICE))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)

    before = customer_snapshot(current)
    other_snapshot = customer_snapshot(victim)
    other_snapshot["version"] = victim.version
    changes: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        if field_choices.get(name) == OTHER:
            changes[name] = other_snapshot[name]
            if name == "owner":
                changes["team"] = other_snapshot["team"]
            if name == "birthday":
                changes.update({key: other_snapshot[key] for key in BIRTHDAY_FIELDS})
    changes["phones"] = _union(current.phones, victim.phones, MAX_PHONES)
    changes["emails"] = _union(current.emails, victim.emails, MAX_EMAILS)
    changes["custom_fields"] = {
        **{k: v for k, v in (victim.custom_fields or {}).items() if not _is_empty(v)},
        **{k: v for k, v in (current.custom_fields or {}).items() if not _is_empty(v)},
    }
    _apply_fields(current, changes, errors, actor)
    _finish(current, errors)
    current.version += 1
    current.save()
    current.tags.add(*victim.tags.all())

    primary_ids = list(
        Contact.objects.filter(customer=victim, is_primary=True).values_list("pk", flat=True)
    )
    moved = {
        name: handler(actor=actor, source=victim, target=current)
        for name, handler in _handlers.items()
    }
    demoted: list[int] = []
    if (
        Contact.objects.filter(customer=current, is_primary=True)
        .exclude(pk__in=primary_ids)
        .exists()
    ):
        demoted = primary_ids
        Contact.objects.filter(pk__in=demoted).update(is_primary=False)

    mark_deleted(victim, actor=actor)
    if pair is None:
        first, second = sorted([current.pk, victim.pk])
        pair = DuplicatePair.objects.filter(customer_a_id=first, customer_b_id=second).first()
    if pair is not None:
        DuplicatePair.objects.filter(pk=pair.pk).update(status=DuplicatePairStatus.MERGED)

    merge = CustomerMerge.objects.create(
        survivor=current,
        other=victim,
        actor=actor if getattr(actor, "pk", None) else None,
        survivor_before=before,
        survivor_version_after=current.version,
        other_snapshot=other_snapshot,
        moved={**moved, "_demoted_primary_contacts": demoted},
        duplicate_pair_id=pair.pk if pair is not None else None,
    )
    after = customer_snapshot(current)
    summary = {"merge": merge.pk, "survivor": current.pk, "other": victim.pk, "moved": moved}
    audit_record(
        actor=actor,
        action="customers.customer.merged",
        instance=current,
        changes={**diff(before, after), "merge": {**summary, "other_snapshot": other_snapshot}},
    )
    audit_record(
        actor=actor,
        action="customers.customer.merged",
        instance=victim,
        changes={"merge": {**summary, "other_snapshot": other_snapshot}},
    )
    return merge


def customer_merge_get(*, actor: Any, merge_id: Any) -> CustomerMerge:
    """A merge whose survivor the actor may change (what undo needs); else NotFound."""
    try:
        pk = int(merge_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(MERGE_NOT_FOUND)) from error
    merge = CustomerMerge.objects.select_related("survivor", "other").filter(pk=pk).first()
    if merge is None or not is_in_scope(merge.survivor, actor=actor, action="change"):
        raise NotFound(str(MERGE_NOT_FOUND))
    return merge


def _restore_values(customer: Customer, values: dict[str, Any]) -> None:
    """Put snapshot values (JSON forms, foreign keys as ids) back on the instance."""
    for name in EDITABLE_FIELDS:
        if name not in values:
            continue
        field = Customer._meta.get_field(name)
        value = values[name]
        if value is not None and not field.is_relation:
            value = field.to_python(value)
        setattr(customer, field.attname, value)


@transaction.atomic
def customer_merge_undo(*, actor: Any, merge: CustomerMerge) -> CustomerMerge:
    """Undo a merge: the other customer comes back from the recycle bin with the rows
    that were moved from it, and the survivor gets its previous values and tags.

    Refused (ConflictError) when the survivor was edited after the merge, so no
    later change is silently overwritten.
    """
    require_permission(actor, "customers.change_customer")
    merge = customer_merge_get(actor=actor, merge_id=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(str(ALREADY_UNDONE))
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    other = Customer.objects.select_for_update().get(pk=merge.other_id)
    in_scope = scoped(
        Customer.objects.filter(pk=other.pk), actor=actor, action="change", include_deleted=True
    ).exists()
    if not in_scope or survivor.deleted_at is not None:
        raise NotFound(str(MERGE_NOT_FOUND))
    if survivor.version != merge.survivor_version_after:
        raise ConflictError(
            str(SURVIVOR_CHANGED),
            current_version=survivor.version,
            current_values=customer_snapshot(survivor),
        )
    before = customer_snapshot(survivor)
    _restore_values(survivor, merge.survivor_before)
    errors: dict[str, list[str]] = {}
    _finish(survivor, errors)
    survivor.version += 1
    survivor.save()
    survivor.tags.set(merge.survivor_before.get("tags", []))

    moved_back: dict[str, list[int]] = {}
    for name, ids in merge.moved.items():
        handler = _handlers.get(name)
        if handler is not None and ids:
            moved_back[name] = handler(actor=actor, source=survivor, target=other, ids=ids)
    demoted = merge.moved.get("_demoted_primary_contacts") or []
    if demoted:
        Contact.objects.filter(pk__in=demoted).update(is_primary=True)
    mark_restored(other)

    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    if merge.duplicate_pair_id is not None:
        DuplicatePair.objects.filter(pk=merge.duplicate_pair_id).update(
            status=DuplicatePairStatus.OPEN
        )
    summary = {"merge": merge.pk, "survivor": survivor.pk, "other": other.pk, "moved": moved_back}
    audit_record(
        actor=actor,
        action="customers.customer.merge_undone",
        instance=survivor,
        changes={**diff(before, customer_snapshot(survivor)), "merge": summary},
    )
    audit_record(
        actor=actor,
        action="customers.customer.merge_undone",
        instance=other,
        changes={"merge": jsonable(summary)},
    )
    return merge


# --- contacts -----------------------------------------------------------------------
#
# Merging two contacts of one customer: the survivor takes the chosen field values,
# unions phones, e-mails and custom field values, becomes primary if either was, and
# every row pointing at the other contact (follow-ups, and what other apps register
# with `register_contact_merge_handler`) moves to it; the other goes to the recycle
# bin. Contacts of two different customers are not merged: a contact belongs to one
# customer and follow-ups must name a contact of their own customer (merge the
# customers first; see docs/decisions.md).

CONTACT_MERGE_NOT_FOUND = _("This contact merge does not exist or you cannot undo it.")
SAME_CONTACT = _("Choose two different contacts.")
DIFFERENT_CUSTOMERS = _(
    "These contacts belong to different customers. Merge the customers first, "
    "or mark the pair as not a duplicate."
)
CONTACT_SURVIVOR_CHANGED = _(
    "The merged contact was changed after the merge; undo would overwrite those changes."
)

CONTACT_MERGE_FIELDS = ["name", "title", "wechat_id", "birthday", "notes"]


class ContactMergeHandler(Protocol):
    def __call__(
        self, *, actor: Any, source: Contact, target: Contact, ids: list[int] | None = None
    ) -> list[int]: ...


_contact_handlers: dict[str, ContactMergeHandler] = {}


def register_contact_merge_handler(fn: ContactMergeHandler, *, name: str | None = None) -> None:
    """Let an app move its rows that point at a merged-away contact (same contract as
    `register_merge_handler`, with contacts instead of customers)."""
    _contact_handlers[name or f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"] = fn


def _move_interactions(
    *, actor: Any, source: Contact, target: Contact, ids: list[int] | None = None
) -> list[int]:
    qs = Interaction.objects.filter(contact=source)  # soft-deleted follow-ups too
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    moved = sorted(qs.values_list("pk", flat=True))
    Interaction.objects.filter(pk__in=moved).update(contact=target)
    return moved


register_contact_merge_handler(_move_interactions, name="customers.interaction")


def default_contact_field_choices(survivor: Contact, other: Contact) -> dict[str, str]:
    """Per field: the survivor's value unless it is empty, or the other's is non-empty
    and the other record is the more recently updated one."""
    choices: dict[str, str] = {}
    other_is_newer = (other.updated_at or timezone.now()) > (survivor.updated_at or timezone.now())
    for name in CONTACT_MERGE_FIELDS:
        mine, theirs = getattr(survivor, name), getattr(other, name)
        if _is_empty(theirs):
            choices[name] = SURVIVOR
        elif _is_empty(mine) or (other_is_newer and mine != theirs):
            choices[name] = OTHER
        else:
            choices[name] = SURVIVOR
    return choices


def _locked_contacts(survivor: Contact, other: Contact) -> tuple[Contact, Contact]:
    rows = {
        row.pk: row
        for row in Contact.objects.select_for_update()
        .filter(pk__in=[survivor.pk, other.pk], deleted_at__isnull=True)
        .order_by("pk")
    }
    if survivor.pk not in rows or other.pk not in rows:
        raise NotFound(str(contact_services.CONTACT_NOT_FOUND))
    return rows[survivor.pk], rows[other.pk]


@transaction.atomic
def contact_merge(
    *,
    actor: Any,
    survivor: Contact,
    other: Contact,
    field_choices: dict[str, str] | None = None,
    expected_versions: dict[Any, Any] | None = None,
    pair: ContactDuplicatePair | None = None,
) -> ContactMerge:
    """Merge contact `other` into `survivor` (both of one customer); returns the record
    `contact_merge_undo` needs.

    Needs change permission and scope on both (NotFound otherwise); a stale version
    in `expected_versions` ({contact_id: version}) raises ConflictError and writes
    nothing. `field_choices` maps a field of CONTACT_MERGE_FIELDS to "survivor" or
    "other" (missing: survivor). Writes `customers.contact.merged` on both contacts.
    """
    require_permission(actor, "customers.change_contact")
    if survivor.pk == other.pk:
        raise ValidationError(str(INVALID_INPUT), field_errors={"survivor": [str(SAME_CONTACT)]})
    for contact in (survivor, other):
        if not is_in_scope(contact, actor=actor, action="change"):
            raise NotFound(str(contact_services.CONTACT_NOT_FOUND))
    current, victim = _locked_contacts(survivor, other)
    if current.customer_id != victim.customer_id:
        raise ValidationError(str(DIFFERENT_CUSTOMERS))
    for contact in (current, victim):
        if expected_versions:
            expected = expected_versions.get(contact.pk, expected_versions.get(str(contact.pk)))
            ensure_version(contact, expected, compare_fields=contact_services.EDITABLE_FIELDS)
    field_choices = field_choices or {}
    errors: dict[str, list[str]] = {}
    for name, choice in field_choices.items():
        if name not in CONTACT_MERGE_FIELDS or choice not in (SURVIVOR, OTHER):
            errors.setdefault(name, []).append(str(UNKNOWN_CHOICE))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)

    fields = contact_services.EDITABLE_FIELDS
    before = snapshot(current, fields)
    other_snapshot = {**snapshot(victim, fields), "version": victim.version}
    changes: dict[str, Any] = {}
    for name in CONTACT_MERGE_FIELDS:
        if field_choices.get(name) == OTHER:
            changes[name] = other_snapshot[name]
            if name == "birthday":
                changes.update({key: other_snapshot[key] for key in BIRTHDAY_FIELDS})
    changes["phones"] = _union(current.phones, victim.phones, MAX_PHONES)
    changes["emails"] = _union(current.emails, victim.emails, MAX_EMAILS)
    changes["custom_fields"] = {
        **{k: v for k, v in (victim.custom_fields or {}).items() if not _is_empty(v)},
        **{k: v for k, v in (current.custom_fields or {}).items() if not _is_empty(v)},
    }
    if victim.is_primary:
        changes["is_primary"] = True
    contact_services._apply_fields(current, changes, errors)
    contact_services._finish(current, errors)
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    current.version += 1
    current.save()

    moved = {
        name: handler(actor=actor, source=victim, target=current)
        for name, handler in _contact_handlers.items()
    }
    victim.is_primary = False
    mark_deleted(victim, actor=actor, also_save=("is_primary",))
    if pair is None:
        first, second = sorted([current.pk, victim.pk])
        pair = ContactDuplicatePair.objects.filter(contact_a_id=first, contact_b_id=second).first()
    if pair is not None:
        ContactDuplicatePair.objects.filter(pk=pair.pk).update(status=DuplicatePairStatus.MERGED)

    merge = ContactMerge.objects.create(
        survivor=current,
        other=victim,
        actor=actor if getattr(actor, "pk", None) else None,
        survivor_before=before,
        survivor_version_after=current.version,
        other_snapshot=other_snapshot,
        moved=moved,
        duplicate_pair_id=pair.pk if pair is not None else None,
    )
    summary = {"merge": merge.pk, "survivor": current.pk, "other": victim.pk, "moved": moved}
    audit_record(
        actor=actor,
        action="customers.contact.merged",
        instance=current,
        changes={
            **diff(before, snapshot(current, fields)),
            "merge": {**summary, "other_snapshot": other_snapshot},
        },
    )
    audit_record(
        actor=actor,
        action="customers.contact.merged",
        instance=victim,
        changes={"merge": {**summary, "other_snapshot": other_snapshot}},
    )
    return merge


def contact_merge_get(*, actor: Any, merge_id: Any) -> ContactMerge:
    """A contact merge whose survivor the actor may change; else NotFound."""
    try:
        pk = int(merge_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(CONTACT_MERGE_NOT_FOUND)) from error
    merge = ContactMerge.objects.select_related("survivor", "other").filter(pk=pk).first()
    if merge is None or not is_in_scope(merge.survivor, actor=actor, action="change"):
        raise NotFound(str(CONTACT_MERGE_NOT_FOUND))
    return merge


@transaction.atomic
def contact_merge_undo(*, actor: Any, merge: ContactMerge) -> ContactMerge:
    """Undo a contact merge: the other contact comes back from the recycle bin with its
    follow-ups, and the survivor gets its previous values.

    Refused (ConflictError) when the survivor was edited after the merge.
    """
    require_permission(actor, "customers.change_contact")
    merge = contact_merge_get(actor=actor, merge_id=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(str(ALREADY_UNDONE))
    survivor = Contact.objects.select_for_update().get(pk=merge.survivor_id)
    other = Contact.objects.select_for_update().get(pk=merge.other_id)
    in_scope = scoped(
        Contact.objects.filter(pk=other.pk), actor=actor, action="change", include_deleted=True
    ).exists()
    if not in_scope or survivor.deleted_at is not None:
        raise NotFound(str(CONTACT_MERGE_NOT_FOUND))
    if survivor.version != merge.survivor_version_after:
        raise ConflictError(
            str(CONTACT_SURVIVOR_CHANGED),
            current_version=survivor.version,
            current_values=snapshot(survivor, contact_services.EDITABLE_FIELDS),
        )
    fields = contact_services.EDITABLE_FIELDS
    before = snapshot(survivor, fields)
    _restore_snapshot(survivor, merge.survivor_before)
    errors: dict[str, list[str]] = {}
    contact_services._finish(survivor, errors)
    survivor.version += 1
    survivor.save()

    moved_back: dict[str, list[int]] = {}
    for name, ids in merge.moved.items():
        handler = _contact_handlers.get(name)
        if handler is not None and ids:
            moved_back[name] = handler(actor=actor, source=survivor, target=other, ids=ids)
    other.is_primary = bool(merge.other_snapshot.get("is_primary"))
    other.save(update_fields=["is_primary"])
    mark_restored(other)

    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    if merge.duplicate_pair_id is not None:
        ContactDuplicatePair.objects.filter(pk=merge.duplicate_pair_id).update(
            status=DuplicatePairStatus.OPEN
        )
    summary = {"merge": merge.pk, "survivor": survivor.pk, "other": other.pk, "moved": moved_back}
    audit_record(
        actor=actor,
        action="customers.contact.merge_undone",
        instance=survivor,
        changes={**diff(before, snapshot(survivor, fields)), "merge": summary},
    )
    audit_record(
        actor=actor,
        action="customers.contact.merge_undone",
        instance=other,
        changes={"merge": jsonable(summary)},
    )
    return merge


def _restore_snapshot(contact: Contact, values: dict[str, Any]) -> None:
    for name in contact_services.EDITABLE_FIELDS:
        if name not in values:
            continue
        field = Contact._meta.get_field(name)
        value = values[name]
        if value is not None and not field.is_relation:
            value = field.to_python(value)
        setattr(contact, field.attname, value)
