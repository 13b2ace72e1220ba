"""Merging two customers into one, and undoing it.

`customer_merge` keeps the survivor, takes the chosen field values from the
other, unions phones, e-mails, tags and custom field values, moves every row
that points at the other customer to the survivor, and moves the other to the
recycle bin. A `CustomerMerge` row keeps what `customer_merge_undo` needs.

Rows of other apps that point at a customer (orders, tasks, …) are moved by
merge handlers. An app registers one per model in its AppConfig.ready(); for a
plain foreign key to the customer `rows_mover` builds it:

    register_merge_handler(rows_mover(Order, touch_updated_at=True), name="sales.order")

On merge a handler is called with source=other, target=survivor, ids=None and
returns the ids it moved; on undo the same handler is called with
source=survivor, target=other and those ids, and must move exactly them back.
Handlers run inside the merge's transaction and must not commit or enqueue work
outside `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _MergeKind:
    """What differs between merging customers and merging contacts."""

    model: type[Customer] | type[Contact]
    merge_model: type[CustomerMerge] | type[ContactMerge]
    pair_model: type[DuplicatePair] | type[ContactDuplicatePair]
    pair_sides: tuple[str, str]
    fields: list[str]  # picked per field
    editable_fields: list[str]  # snapshotted and restored
    snapshot: Callable[[Any], dict[str, Any]]
    handlers: dict[str, Any]
    merge_not_found: Any
    survivor_changed: Any
    audit_prefix: str  # "customers.customer" -> "customers.customer.merged"


class MergeHandler(Protocol):
    def __call__(
        self, *, actor: Any, source: Customer, target: Customer, ids: list[int] | None = None
    ) -> list[int]: ...


_handlers: dict[str, MergeHandler] = {}


def _handler_name(fn: Any, name: str | None) -> str:
    return name or f"{fn.__module__}.{getattr(fn, '__qualname__', repr(fn))}"


def register_merge_handler(fn: MergeHandler, *, name: str | None = None) -> None:
    """Let an app move its rows from the merged-away customer (see the module docstring)."""
    _handlers[_handler_name(fn, name)] = fn


def merge_handlers() -> dict[str, MergeHandler]:
    return dict(_handlers)


def rows_mover(
    model: type[Any], field: str = "customer", *, touch_updated_at: bool = False
) -> MergeHandler:
    """A handler moving `model` rows whose `field` points at the source (soft-deleted
    rows too); with `touch_updated_at` their updated_at becomes now."""

    def move(*, actor: Any, source: Any, target: Any, ids: list[int] | None = None) -> list[int]:
        qs = model._default_manager.filter(**{field: source})
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        moved = sorted(qs.values_list("pk", flat=True))
        changes: dict[str, Any] = {field: target}
        if touch_updated_at:
            changes["updated_at"] = timezone.now()
        model._default_manager.filter(pk__in=moved).update(**changes)
        return moved

    return move


register_merge_handler(rows_mover(Contact), name="customers.contact")
register_merge_handler(rows_mover(Interaction), name="customers.interaction")


# --- shared by customer and contact merges --------------------------------------------


def _default_choices(kind: _MergeKind, survivor: Any, other: Any) -> dict[str, str]:
    """Per field: the survivor's value unless it is empty, or the other's is non-empty
    and the other record is the more recently updated one."""
    choices: dict[str, str] = {}
    other_is_newer = (other.updated_at or timezone.now()) > (survivor.updated_at or timezone.now())
    for name in kind.fields:
        attname = kind.model._meta.get_field(name).attname
        mine, theirs = getattr(survivor, attname), getattr(other, attname)
        if _is_empty(theirs):
            choices[name] = SURVIVOR
        elif _is_empty(mine) or (other_is_newer and mine != theirs):
            choices[name] = OTHER
        else:
            choices[name] = SURVIVOR
    return choices


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _check_versions(
    current: Any, expected_versions: dict[Any, Any] | None, compare_fields: list[str]
) -> None:
    if not expected_versions:
        return
    expected = expected_versions.get(current.pk, expected_versions.get(str(current.pk)))
    ensure_version(current, expected, compare_fields=compare_fields)


def _checked_choices(field_choices: dict[str, str] | None, fields: list[str]) -> dict[str, str]:
    """`field_choices` (or {}), refused field by field unless each maps a field of
    `fields` to SURVIVOR or OTHER."""
    field_choices = field_choices or {}
    errors: dict[str, list[str]] = {}
    for name, choice in field_choices.items():
        if name not in fields or choice not in (SURVIVOR, OTHER):
            errors.setdefault(name, []).append(str(UNKNOWN_CHOICE))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    return field_choices


def _locked(model: type[Any], survivor: Any, other: Any, not_found: Any) -> tuple[Any, Any]:
    """Lock both rows in id order so two merges of the same pair cannot deadlock."""
    rows = {
        row.pk: row
        for row in model._default_manager.select_for_update()
        .filter(pk__in=[survivor.pk, other.pk], deleted_at__isnull=True)
        .order_by("pk")
    }
    if survivor.pk not in rows or other.pk not in rows:
        raise NotFound(str(not_found))
    return rows[survivor.pk], rows[other.pk]


def _union(first: list[Any], second: list[Any], limit: int) -> list[Any]:
    return list(dict.fromkeys([*(first or []), *(second or [])]))[:limit]


def _merged_values(
    current: Any,
    victim: Any,
    fields: list[str],
    field_choices: dict[str, str],
    other_snapshot: dict[str, Any],
) -> dict[str, Any]:
    """The survivor's new values: the fields chosen from the other record (an owner
    brings its team, a birthday its calendar fields), phones and e-mails unioned,
    custom field values of both (the survivor's win)."""
    changes: dict[str, Any] = {}
    for name in fields:
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
    return changes


def _close_pair(kind: _MergeKind, pair: Any, current: Any, victim: Any) -> Any:
    """Mark the pair (given, or looked up by the two ids) merged; returns it or None."""
    if pair is None:
        first, second = sorted([current.pk, victim.pk])
        side_a, side_b = kind.pair_sides
        pair = kind.pair_model.objects.filter(
            **{f"{side_a}_id": first, f"{side_b}_id": second}
        ).first()
    if pair is not None:
        kind.pair_model.objects.filter(pk=pair.pk).update(status=DuplicatePairStatus.MERGED)
    return pair


def _record_merge(
    kind: _MergeKind,
    actor: Any,
    current: Any,
    victim: Any,
    before: dict[str, Any],
    other_snapshot: dict[str, Any],
    moved: dict[str, list[int]],
    pair: Any,
    stored_moved: dict[str, Any] | None = None,
) -> Any:
    """The merge row undo needs (`stored_moved`, default `moved`), and the `merged`
    audit entry on both records."""
    merge = kind.merge_model.objects.create(
        survivor=current,
        other=victim,
        actor=actor if getattr(actor, "pk", None) else None,
        survivor_before=before,
        survivor_version_after=current.version,
        other_snapshot=other_snapshot,
        moved=moved if stored_moved is None else stored_moved,
        duplicate_pair_id=pair.pk if pair is not None else None,
    )
    summary = {"merge": merge.pk, "survivor": current.pk, "other": victim.pk, "moved": moved}
    action = f"{kind.audit_prefix}.merged"
    changes = {
        **diff(before, kind.snapshot(current)),
        "merge": {**summary, "other_snapshot": other_snapshot},
    }
    audit_record(actor=actor, action=action, instance=current, changes=changes)
    audit_record(
        actor=actor,
        action=action,
        instance=victim,
        changes={"merge": {**summary, "other_snapshot": other_snapshot}},
    )
    return merge


def _merge_get(kind: _MergeKind, actor: Any, merge_id: Any) -> Any:
    not_found = kind.merge_not_found
    try:
        pk = int(merge_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(not_found)) from error
    merge = kind.merge_model.objects.select_related("survivor", "other").filter(pk=pk).first()
    if merge is None or not is_in_scope(merge.survivor, actor=actor, action="change"):
        raise NotFound(str(not_found))
    return merge


def _undo_records(kind: _MergeKind, actor: Any, merge: Any) -> tuple[Any, Any]:
    """Survivor and other of `merge`, locked; NotFound unless the other (in the recycle
    bin) is in the actor's scope and the survivor is live, ConflictError when the
    survivor was edited after the merge."""
    if merge.undone_at is not None:
        raise ValidationError(str(ALREADY_UNDONE))
    model = kind.model
    survivor = model._default_manager.select_for_update().get(pk=merge.survivor_id)
    other = model._default_manager.select_for_update().get(pk=merge.other_id)
    in_scope = scoped(
        model._default_manager.filter(pk=other.pk),
        actor=actor,
        action="change",
        include_deleted=True,
    ).exists()
    if not in_scope or survivor.deleted_at is not None:
        raise NotFound(str(kind.merge_not_found))
    if survivor.version != merge.survivor_version_after:
        raise ConflictError(
            str(kind.survivor_changed),
            current_version=survivor.version,
            current_values=kind.snapshot(survivor),
        )
    return survivor, other


def _restore_values(kind: _MergeKind, instance: Any, values: dict[str, Any]) -> None:
    """Put snapshot values (JSON forms, foreign keys as ids) back on the instance."""
    for name in kind.editable_fields:
        if name not in values:
            continue
        field = type(instance)._meta.get_field(name)
        value = values[name]
        if value is not None and not field.is_relation:
            value = field.to_python(value)
        setattr(instance, field.attname, value)


def _move_back(kind: _MergeKind, merge: Any, actor: Any, survivor: Any, other: Any) -> Any:
    moved_back: dict[str, list[int]] = {}
    for name, ids in merge.moved.items():
        handler = kind.handlers.get(name)
        if handler is not None and ids:
            moved_back[name] = handler(actor=actor, source=survivor, target=other, ids=ids)
    return moved_back


def _finish_undo(
    kind: _MergeKind,
    merge: Any,
    actor: Any,
    survivor: Any,
    other: Any,
    before: dict[str, Any],
    moved_back: dict[str, list[int]],
) -> None:
    """Mark the merge undone, reopen its pair, audit `action` on both records."""
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    if merge.duplicate_pair_id is not None:
        kind.pair_model.objects.filter(pk=merge.duplicate_pair_id).update(
            status=DuplicatePairStatus.OPEN
        )
    summary = {"merge": merge.pk, "survivor": survivor.pk, "other": other.pk, "moved": moved_back}
    action = f"{kind.audit_prefix}.merge_undone"
    changes = {**diff(before, kind.snapshot(survivor)), "merge": summary}
    audit_record(actor=actor, action=action, instance=survivor, changes=changes)
    audit_record(actor=actor, action=action, instance=other, changes={"merge": jsonable(summary)})


# --- customers ------------------------------------------------------------------------

CUSTOMER_KIND = _MergeKind(
    model=Customer,
    merge_model=CustomerMerge,
    pair_model=DuplicatePair,
    pair_sides=("customer_a", "customer_b"),
    fields=MERGE_FIELDS,
    editable_fields=EDITABLE_FIELDS,
    snapshot=customer_snapshot,
    handlers=_handlers,
    merge_not_found=MERGE_NOT_FOUND,
    survivor_changed=SURVIVOR_CHANGED,
    audit_prefix="customers.customer",
)


def default_field_choices(survivor: Customer, other: Customer) -> dict[str, str]:
    """Per field: the survivor's value unless it is empty, or the other's is non-empty
    and the other record is the more recently updated one."""
    return _default_choices(CUSTOMER_KIND, survivor, other)


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
    current, victim = _locked(Customer, survivor, other, CUSTOMER_NOT_FOUND)
    _check_versions(current, expected_versions, EDITABLE_FIELDS)
    _check_versions(victim, expected_versions, EDITABLE_FIELDS)
    field_choices = _checked_choices(field_choices, MERGE_FIELDS)

    before = customer_snapshot(current)
    other_snapshot = customer_snapshot(victim)
    other_snapshot["version"] = victim.version
    changes = _merged_values(current, victim, MERGE_FIELDS, field_choices, other_snapshot)
    errors: dict[str, list[str]] = {}
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
    pair = _close_pair(CUSTOMER_KIND, pair, current, victim)
    stored_moved = {**moved, "_demoted_primary_contacts": demoted}
    return _record_merge(
        CUSTOMER_KIND, actor, current, victim, before, other_snapshot, moved, pair, stored_moved
    )


def customer_merge_get(*, actor: Any, merge_id: Any) -> CustomerMerge:
    """A merge whose survivor the actor may change (what undo needs); else NotFound."""
    return _merge_get(CUSTOMER_KIND, actor, merge_id)


@transaction.atomic
def customer_merge_undo(*, actor: Any, merge: CustomerMerge) -> CustomerMerge:
    """Undo a merge: the other customer comes back from the recycle bin with the rows
    that were moved from it, and the survivor gets its previous values and tags.

    Refused (ConflictError) when the survivor was edited after the merge, so no
    later change is silently overwritten.
    """
    require_permission(actor, "customers.change_customer")
    merge = customer_merge_get(actor=actor, merge_id=merge.pk)
    survivor, other = _undo_records(CUSTOMER_KIND, actor, merge)
    before = customer_snapshot(survivor)
    _restore_values(CUSTOMER_KIND, survivor, merge.survivor_before)
    errors: dict[str, list[str]] = {}
    _finish(survivor, errors)
    survivor.version += 1
    survivor.save()
    survivor.tags.set(merge.survivor_before.get("tags", []))

    moved_back = _move_back(CUSTOMER_KIND, merge, actor, survivor, other)
    demoted = merge.moved.get("_demoted_primary_contacts") or []
    if demoted:
        Contact.objects.filter(pk__in=demoted).update(is_primary=True)
    mark_restored(other)
    _finish_undo(CUSTOMER_KIND, merge, actor, survivor, other, before, moved_back)
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
    _contact_handlers[_handler_name(fn, name)] = fn


register_contact_merge_handler(rows_mover(Interaction, "contact"), name="customers.interaction")


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    return snapshot(contact, contact_services.EDITABLE_FIELDS)


CONTACT_KIND = _MergeKind(
    model=Contact,
    merge_model=ContactMerge,
    pair_model=ContactDuplicatePair,
    pair_sides=("contact_a", "contact_b"),
    fields=CONTACT_MERGE_FIELDS,
    editable_fields=contact_services.EDITABLE_FIELDS,
    snapshot=_contact_snapshot,
    handlers=_contact_handlers,
    merge_not_found=CONTACT_MERGE_NOT_FOUND,
    survivor_changed=CONTACT_SURVIVOR_CHANGED,
    audit_prefix="customers.contact",
)


def default_contact_field_choices(survivor: Contact, other: Contact) -> dict[str, str]:
    """Per field: the survivor's value unless it is empty, or the other's is non-empty
    and the other record is the more recently updated one."""
    return _default_choices(CONTACT_KIND, survivor, other)


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
    current, victim = _locked(Contact, survivor, other, contact_services.CONTACT_NOT_FOUND)
    if current.customer_id != victim.customer_id:
        raise ValidationError(str(DIFFERENT_CUSTOMERS))
    _check_versions(current, expected_versions, contact_services.EDITABLE_FIELDS)
    _check_versions(victim, expected_versions, contact_services.EDITABLE_FIELDS)
    field_choices = _checked_choices(field_choices, CONTACT_MERGE_FIELDS)

    before = _contact_snapshot(current)
    other_snapshot = {**_contact_snapshot(victim), "version": victim.version}
    changes = _merged_values(current, victim, CONTACT_MERGE_FIELDS, field_choices, other_snapshot)
    if victim.is_primary:
        changes["is_primary"] = True
    errors: dict[str, list[str]] = {}
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
    pair = _close_pair(CONTACT_KIND, pair, current, victim)
    return _record_merge(CONTACT_KIND, actor, current, victim, before, other_snapshot, moved, pair)


def contact_merge_get(*, actor: Any, merge_id: Any) -> ContactMerge:
    """A contact merge whose survivor the actor may change; else NotFound."""
    return _merge_get(CONTACT_KIND, actor, merge_id)


@transaction.atomic
def contact_merge_undo(*, actor: Any, merge: ContactMerge) -> ContactMerge:
    """Undo a contact merge: the other contact comes back from the recycle bin with its
    follow-ups, and the survivor gets its previous values.

    Refused (ConflictError) when the survivor was edited after the merge.
    """
    require_permission(actor, "customers.change_contact")
    merge = contact_merge_get(actor=actor, merge_id=merge.pk)
    survivor, other = _undo_records(CONTACT_KIND, actor, merge)
    before = _contact_snapshot(survivor)
    _restore_values(CONTACT_KIND, survivor, merge.survivor_before)
    errors: dict[str, list[str]] = {}
    contact_services._finish(survivor, errors)
    survivor.version += 1
    survivor.save()

    moved_back = _move_back(CONTACT_KIND, merge, actor, survivor, other)
    other.is_primary = bool(merge.other_snapshot.get("is_primary"))
    other.save(update_fields=["is_primary"])
    mark_restored(other)
    _finish_undo(CONTACT_KIND, merge, actor, survivor, other, before, moved_back)
    return merge
