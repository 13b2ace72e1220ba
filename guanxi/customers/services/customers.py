"""Customer writes: create, update, transfer, delete to the recycle bin, restore."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.custom_fields import clean_custom_fields
from guanxi.customers.models import Customer, CustomFieldTarget, Tag
from guanxi.customers.permissions import TRANSFER_CUSTOMERS
from guanxi.customers.selectors import custom_field_definitions
from guanxi.customers.services._common import (
    INVALID_INPUT,
    clean_emails,
    clean_lunar_birthday,
    clean_notes,
    clean_phones,
    clean_time_zone,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.customers.services.contacts import contact_create
from guanxi.platform.audit import audit_record, audit_record_many, diff, snapshot
from guanxi.platform.bulk import insert_many
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import is_in_scope, is_restorable
from guanxi.platform.search import build_search_text
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.text import pinyin_of, sort_key_of
from guanxi.platform.versioning import ensure_version, lock_current

CUSTOMER_NOT_FOUND = _("This customer does not exist or you cannot see it.")
UNKNOWN_OWNER = _("Choose an active user as the owner.")
UNKNOWN_TAG = _("Unknown tag.")
CANNOT_ASSIGN_OTHERS = _("You may not assign customers to other owners.")
CANNOT_MOVE_TEAM = _("You may not move customers to another team.")

EDITABLE_FIELDS = [
    "kind",
    "name",
    "short_name",
    "industry",
    "source",
    "grade",
    "lifecycle_stage",
    "owner",
    "team",
    "phones",
    "emails",
    "wechat_id",
    "province",
    "city",
    "district",
    "street",
    "preferred_channel",
    "language",
    "time_zone",
    "birthday",
    "birthday_calendar",
    "lunar_birthday_month",
    "lunar_birthday_day",
    "lunar_birthday_is_leap_month",
    "notes",
    "custom_fields",
]
AUDITED_FIELDS = [*EDITABLE_FIELDS, "tags"]


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    values = snapshot(customer, EDITABLE_FIELDS)
    values["tags"] = sorted(customer.tags.values_list("pk", flat=True)) if customer.pk else []
    return values


def customer_search_text(customer: Customer) -> str:
    return build_search_text(
        names=[customer.name, customer.short_name],
        words=[customer.wechat_id],
        emails=customer.emails,
        phones=customer.phones,
    )


def _resolve_owner(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import User

    if value in (None, ""):
        return None
    user_id = getattr(value, "pk", value)
    try:
        user = User.objects.select_related("team").filter(pk=int(user_id), is_active=True).first()
    except (TypeError, ValueError):
        user = None
    if user is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    return user


def _resolve_team(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import Team

    if value in (None, ""):
        return None
    team_id = getattr(value, "pk", value)
    try:
        team = Team.objects.filter(pk=int(team_id)).first()
    except (TypeError, ValueError):
        team = None
    if team is None:
        errors.setdefault("team", []).append(str(_("Unknown team.")))
    return team


def _tag_ids(values: Any, errors: dict[str, list[str]]) -> list[int]:
    """Tag ids from ids or Tag objects; a value that is neither is an UNKNOWN_TAG error."""
    if values is None:
        return []
    ids = []
    for value in values if isinstance(values, list | tuple | set) else [values]:
        try:
            ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors.setdefault("tags", []).append(str(UNKNOWN_TAG))
            return []
    return ids


def _resolve_tags(values: Any, errors: dict[str, list[str]]) -> list[Tag]:
    ids = _tag_ids(values, errors)
    if not ids:
        return []
    tags = list(Tag.objects.filter(pk__in=ids))
    if len(tags) != len(set(ids)):
        errors.setdefault("tags", []).append(str(UNKNOWN_TAG))
    return tags


def _is_owner_change_forbidden(customer: Customer, owner: Any, actor: Any) -> bool:
    """Changing the owner needs the transfer permission; creating for oneself does not."""
    new_owner_id = getattr(owner, "pk", None)
    if new_owner_id == customer.owner_id and customer.pk is not None:
        return False
    if customer.pk is None and new_owner_id == getattr(actor, "pk", None):
        return False
    return actor is not None and not has_permission(actor, TRANSFER_CUSTOMERS)


def _check_team_change(customer: Customer, original_team_id: int | None, actor: Any) -> str | None:
    """Moving a customer to another team is a transfer: it changes who can see it.

    Without the transfer permission the team may only stay as it was or be the
    owner's own team (the default on create).
    """
    if actor is None or has_permission(actor, TRANSFER_CUSTOMERS):
        return None
    allowed = {original_team_id} if customer.pk is not None else set()
    if customer.owner is not None:
        allowed.add(customer.owner.team_id)
    if customer.team_id in allowed:
        return None
    return str(CANNOT_MOVE_TEAM)


def _apply_fields(
    customer: Customer,
    changes: dict[str, Any],
    errors: dict[str, list[str]],
    actor: Any,
    definitions: list[Any] | None = None,
) -> None:
    original_team_id = customer.team_id
    _apply_each_field(customer, changes, errors, actor, definitions)
    if "team" in changes and "team" not in errors:
        message = _check_team_change(customer, original_team_id, actor)
        if message:
            errors.setdefault("team", []).append(message)


def _apply_each_field(
    customer: Customer,
    changes: dict[str, Any],
    errors: dict[str, list[str]],
    actor: Any,
    definitions: list[Any] | None,
) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
            continue
        if name == "owner":
            owner = _resolve_owner(value, errors)
            if _is_owner_change_forbidden(customer, owner, actor):
                errors.setdefault("owner", []).append(str(CANNOT_ASSIGN_OTHERS))
            customer.owner = owner
        elif name == "team":
            customer.team = _resolve_team(value, errors)
        elif name == "phones":
            customer.phones = clean_phones(value, errors)
        elif name == "emails":
            customer.emails = clean_emails(value, errors)
        elif name == "notes":
            customer.notes = clean_notes(value, errors)
        elif name == "custom_fields":
            if definitions is None:
                definitions = custom_field_definitions(CustomFieldTarget.CUSTOMER)
            cleaned, field_errors = clean_custom_fields(
                definitions, value, existing=customer.custom_fields
            )
            errors.update(field_errors)
            customer.custom_fields = cleaned
        else:
            setattr(customer, name, coerce_model_value(customer, name, value, errors))


def _finish(customer: Customer, errors: dict[str, list[str]]) -> None:
    if not customer.name:
        errors.setdefault("name", []).append(str(_("This field is required.")))
    clean_lunar_birthday(customer, errors)
    clean_time_zone(customer, errors)
    customer.name_pinyin = pinyin_of(customer.name)[:400]
    customer.sort_name = sort_key_of(customer.name)
    customer.search_text = customer_search_text(customer)
    # Owner and team were checked by _resolve_owner/_resolve_team (or the bulk
    # lookup); Django's own foreign-key check would ask the database again per field.
    full_clean_into(
        customer,
        errors,
        exclude=["search_text", "sort_name", "name_pinyin", "owner", "team", "created_by"],
    )


@transaction.atomic
def customer_create(
    *, actor: Any, name: str, tags: list[Any] | None = None, **fields: Any
) -> Customer:
    """Create a customer. Owner defaults to the actor, team to the owner's team.

    Validates everything first and writes nothing on any error.
    """
    require_permission(actor, "customers.add_customer")
    errors: dict[str, list[str]] = {}
    customer = Customer(created_by=actor if getattr(actor, "pk", None) else None)
    fields.setdefault("owner", actor if getattr(actor, "pk", None) else None)
    if "custom_fields" not in fields:
        fields["custom_fields"] = {}
    _apply_fields(customer, {"name": name, **fields}, errors, actor)
    if customer.team_id is None and "team" not in fields and customer.owner is not None:
        customer.team = customer.owner.team
    tag_objects = _resolve_tags(tags, errors)
    _finish(customer, errors)
    customer.save()
    if tag_objects:
        customer.tags.set(tag_objects)
    audit_record(
        actor=actor,
        action="customers.customer.created",
        instance=customer,
        changes={"after": customer_snapshot(customer)},
    )
    return customer


def _bulk_owners(rows: list[dict[str, Any]], actor_user: Any) -> dict[int, Any]:
    """The active users the rows name as owners (and the actor), with their teams."""
    from guanxi.accounts.models import User

    owner_ids = {getattr(r.get("owner"), "pk", r.get("owner")) for r in rows} - {None, ""}
    owner_ids.add(getattr(actor_user, "pk", None))
    return {
        user.pk: user
        for user in User.objects.select_related("team").filter(
            pk__in=[pk for pk in owner_ids if str(pk).isdigit()], is_active=True
        )
    }


def _checked_instance(
    row: dict[str, Any],
    *,
    actor: Any,
    actor_user: Any,
    owners: dict[int, Any],
    known_tags: dict[int, Any],
    definitions: list[Any],
) -> tuple[Customer, list[int]]:
    """One row of customer_create_many as a checked, unsaved Customer and its tag ids;
    raises ValidationError with customer_create's field errors."""
    fields = dict(row)
    errors: dict[str, list[str]] = {}
    customer = Customer(created_by=actor_user)
    owner_value = fields.pop("owner", actor_user)
    owner_id = getattr(owner_value, "pk", owner_value)
    owner = owners.get(int(owner_id)) if str(owner_id).isdigit() else None
    if owner_value not in (None, "") and owner is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    elif _is_owner_change_forbidden(customer, owner, actor):
        errors.setdefault("owner", []).append(str(CANNOT_ASSIGN_OTHERS))
    customer.owner = owner
    fields.setdefault("custom_fields", {})
    wanted_tags = _tag_ids(fields.pop("tags", None), errors)
    if any(pk not in known_tags for pk in wanted_tags):
        errors.setdefault("tags", []).append(str(UNKNOWN_TAG))
    _apply_fields(customer, fields, errors, actor, definitions)
    if customer.team_id is None and "team" not in fields and owner is not None:
        customer.team = owner.team
    _finish(customer, errors)
    return customer, sorted(set(wanted_tags))


@transaction.atomic
def customer_create_many(*, actor: Any, rows: list[dict[str, Any]]) -> list[Customer]:
    """Create many customers at once: the checks of customer_create, row by row, then
    one INSERT per table instead of several per customer.

    Raises BatchInvalid({position: ValidationError}) and writes nothing when any
    row is refused. Owners and tags are given as ids or objects, as for create.
    (Imports use customer_create_rows, the same without model instances.)
    """
    from guanxi.platform.imports.targets import BatchInvalid

    require_permission(actor, "customers.add_customer")
    actor_user = actor if getattr(actor, "pk", None) else None
    owners = _bulk_owners(rows, actor_user)
    known_tags = {tag.pk: tag for tag in Tag.objects.all()}
    definitions = custom_field_definitions(CustomFieldTarget.CUSTOMER)
    problems: dict[int, Exception] = {}
    customers: list[Customer] = []
    tag_ids: list[list[int]] = []
    for position, row in enumerate(rows):
        try:
            customer, tags = _checked_instance(
                row,
                actor=actor,
                actor_user=actor_user,
                owners=owners,
                known_tags=known_tags,
                definitions=definitions,
            )
        except ValidationError as error:
            problems[position] = error
            continue
        customers.append(customer)
        tag_ids.append(tags)
    if problems:
        raise BatchInvalid(problems)
    insert_many(Customer, customers)
    links = [
        Customer.tags.through(customer_id=customer.pk, tag_id=tag_id)
        for customer, tags in zip(customers, tag_ids, strict=True)
        for tag_id in tags
    ]
    insert_many(Customer.tags.through, links)
    audit_record_many(
        actor=actor,
        action="customers.customer.created",
        entries=(
            (customer, {"after": {**snapshot(customer, EDITABLE_FIELDS), "tags": tags}})
            for customer, tags in zip(customers, tag_ids, strict=True)
        ),
    )
    return customers


@transaction.atomic
def customer_update(
    *,
    actor: Any,
    customer: Customer,
    expected_version: int | None,
    tags: list[Any] | None = None,
    **changes: Any,
) -> Customer:
    """Apply `changes`; refuse with ConflictError when `expected_version` is stale."""
    if not is_in_scope(customer, actor=actor, action="change"):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    current = lock_current(customer)
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    before = customer_snapshot(current)
    errors: dict[str, list[str]] = {}
    _apply_fields(current, changes, errors, actor)
    tag_objects = _resolve_tags(tags, errors) if tags is not None else None
    _finish(current, errors)
    current.version += 1
    current.save()
    if tag_objects is not None:
        current.tags.set(tag_objects)
    changed = diff(before, customer_snapshot(current))
    audit_record(
        actor=actor, action="customers.customer.updated", instance=current, changes=changed
    )
    return current


@transaction.atomic
def customer_transfer(
    *, actor: Any, customer: Customer, new_owner: Any, expected_version: int | None = None
) -> Customer:
    """Give the customer to another owner (and that owner's team)."""
    require_permission(actor, TRANSFER_CUSTOMERS)
    if not is_in_scope(customer, actor=actor, action="change"):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    current = lock_current(customer)
    ensure_version(current, expected_version, compare_fields=["owner", "team"])
    errors: dict[str, list[str]] = {}
    owner = _resolve_owner(new_owner, errors)
    if errors or owner is None:
        raise ValidationError(
            str(INVALID_INPUT), field_errors=errors or {"owner": [str(UNKNOWN_OWNER)]}
        )
    before = {"owner": current.owner_id, "team": current.team_id}
    current.owner = owner
    current.team = owner.team
    current.version += 1
    current.save(update_fields=["owner", "team", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="customers.customer.transferred",
        instance=current,
        changes=diff(before, {"owner": current.owner_id, "team": current.team_id}),
    )
    return current


@transaction.atomic
def customer_delete(*, actor: Any, customer: Customer) -> Customer:
    """Move to the recycle bin (contacts and follow-ups stay attached and return with it)."""
    if not is_in_scope(customer, actor=actor, action="delete"):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    current = lock_current(customer)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="customers.customer.deleted", instance=current)
    return current


@transaction.atomic
def customer_restore(*, actor: Any, instance: Customer) -> Customer:
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="customers.customer.restored", instance=current)
    return current


def _prefixed(errors: dict[str, list[str]], prefix: str) -> dict[str, list[str]]:
    return {f"{prefix}.{key}": messages for key, messages in errors.items()}


@transaction.atomic
def customer_create_with_contact(
    *,
    actor: Any,
    name: str,
    tags: list[Any] | None = None,
    contact: dict[str, Any] | None = None,
    **fields: Any,
) -> Customer:
    """Create a customer and, when `contact` is given, its first contact, all or nothing.

    `contact` holds contact_create's keyword arguments (name, title, phones, ...).
    A bad contact rolls the customer back too; the contact's field errors come
    back keyed "contact.<field>" so callers can tell them from the customer's.
    """
    try:
        customer = customer_create(actor=actor, name=name, tags=tags, **fields)
    except ValidationError as error:
        # Report the contact's phone/e-mail mistakes in the same answer, so the
        # user does not fix the customer only to be sent back for the contact.
        contact_errors: dict[str, list[str]] = {}
        if contact:
            clean_phones(contact.get("phones"), contact_errors)
            clean_emails(contact.get("emails"), contact_errors)
        if not contact_errors:
            raise
        raise ValidationError(
            error.message,
            field_errors={**error.field_errors, **_prefixed(contact_errors, "contact")},
        ) from error
    if contact:
        contact_fields = dict(contact)
        contact_name = contact_fields.pop("name", "")
        try:
            contact_create(actor=actor, customer=customer, name=contact_name, **contact_fields)
        except ValidationError as error:
            raise ValidationError(
                error.message, field_errors=_prefixed(error.field_errors, "contact")
            ) from error
    return customer
