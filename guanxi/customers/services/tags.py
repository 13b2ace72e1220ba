"""Tags, tag groups, custom field definitions and saved views."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import (
    CustomField,
    CustomFieldType,
    SavedView,
    Tag,
    TagGroup,
)
from guanxi.customers.permissions import MANAGE_CUSTOM_FIELDS, MANAGE_TAGS
from guanxi.customers.services._common import (
    INVALID_INPUT,
    as_list,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.versioning import ensure_version, lock_current

TAG_NAME_TAKEN = _("A tag with this name already exists.")
UNKNOWN_GROUP = _("Unknown tag group.")
INVALID_COLOR = _("Enter a colour like #206bc4.")
CHOICES_REQUIRED = _("Give at least one choice.")
KEY_TAKEN = _("A field with this key already exists.")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

TAG_FIELDS = ["name", "color", "group"]
CUSTOM_FIELD_FIELDS = ["label", "field_type", "choices", "is_required", "is_active", "order"]


def _resolve_group(value: Any, errors: dict[str, list[str]]) -> TagGroup | None:
    """A tag group given as an instance or an id (forms and the API send ids)."""
    if value in (None, ""):
        return None
    if isinstance(value, TagGroup):
        return value
    try:
        group = TagGroup.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        group = None
    if group is None:
        errors.setdefault("group", []).append(str(UNKNOWN_GROUP))
    return group


def _clean_tag(tag: Tag, errors: dict[str, list[str]]) -> None:
    tag.name = str(tag.name if tag.name is not None else "").strip()
    if not _COLOR.match(tag.color or ""):
        errors.setdefault("color", []).append(str(INVALID_COLOR))
    if Tag.objects.filter(name=tag.name).exclude(pk=tag.pk).exists():
        errors.setdefault("name", []).append(str(TAG_NAME_TAKEN))
    full_clean_into(tag, errors)


@transaction.atomic
def tag_create(
    *, actor: Any, name: str, color: str = "#206bc4", group: TagGroup | int | None = None
) -> Tag:
    require_permission(actor, MANAGE_TAGS)
    errors: dict[str, list[str]] = {}
    tag = Tag(name=name, color=color, group=_resolve_group(group, errors))
    _clean_tag(tag, errors)
    tag.save()
    audit_record(
        actor=actor,
        action="customers.tag.created",
        instance=tag,
        changes={"after": snapshot(tag, TAG_FIELDS)},
    )
    return tag


@transaction.atomic
def tag_update(*, actor: Any, tag: Tag, expected_version: int | None, **changes: Any) -> Tag:
    require_permission(actor, MANAGE_TAGS)
    current = lock_current(tag)
    ensure_version(current, expected_version, compare_fields=TAG_FIELDS)
    before = snapshot(current, TAG_FIELDS)
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in TAG_FIELDS:
            raise ValidationError(str(INVALID_INPUT), field_errors={name: ["unknown field"]})
        if name == "group":
            value = _resolve_group(value, errors)
        setattr(current, name, value)
    _clean_tag(current, errors)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="customers.tag.updated",
        instance=current,
        changes=diff(before, snapshot(current, TAG_FIELDS)),
    )
    return current


@transaction.atomic
def tag_delete(*, actor: Any, tag: Tag) -> None:
    """Tags are labels, not customer data: deleting one removes it from every customer."""
    require_permission(actor, MANAGE_TAGS)
    audit_record(
        actor=actor,
        action="customers.tag.deleted",
        instance=tag,
        changes={
            "before": snapshot(tag, TAG_FIELDS),
            "customers": list(tag.customers.values_list("pk", flat=True)[:10000]),
        },
    )
    tag.delete()


@transaction.atomic
def tag_group_create(*, actor: Any, name: str, order: int = 0) -> TagGroup:
    require_permission(actor, MANAGE_TAGS)
    group = TagGroup(name=str(name or "").strip(), order=order)
    errors: dict[str, list[str]] = {}
    if TagGroup.objects.filter(name=group.name).exists():
        errors["name"] = [str(TAG_NAME_TAKEN)]
    full_clean_into(group, errors)
    group.save()
    audit_record(actor=actor, action="customers.tag_group.created", instance=group)
    return group


def _clean_custom_field(field: CustomField, errors: dict[str, list[str]]) -> None:
    if field.field_type in {CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE}:
        # as_list: a list, or text with one choice per line / comma (never its characters).
        choices = as_list(field.choices)
        if not choices:
            errors.setdefault("choices", []).append(str(CHOICES_REQUIRED))
        field.choices = list(dict.fromkeys(choices))
    else:
        field.choices = []
    if CustomField.objects.filter(target=field.target, key=field.key).exclude(pk=field.pk).exists():
        errors.setdefault("key", []).append(str(KEY_TAKEN))
    full_clean_into(field, errors)


@transaction.atomic
def custom_field_create(
    *,
    actor: Any,
    target: str,
    key: str,
    label: str,
    field_type: str,
    choices: list[str] | None = None,
    is_required: bool = False,
    order: int = 0,
) -> CustomField:
    require_permission(actor, MANAGE_CUSTOM_FIELDS)
    field = CustomField(
        target=target,
        key=str(key or "").strip(),
        label=str(label or "").strip(),
        field_type=field_type,
        choices=choices or [],
        is_required=is_required,
        order=order,
    )
    _clean_custom_field(field, {})
    field.save()
    audit_record(
        actor=actor,
        action="customers.custom_field.created",
        instance=field,
        changes={"after": snapshot(field, ["target", "key", *CUSTOM_FIELD_FIELDS])},
    )
    return field


@transaction.atomic
def custom_field_update(
    *, actor: Any, field: CustomField, expected_version: int | None, **changes: Any
) -> CustomField:
    """Edit a definition. The key and target never change: stored values refer to them."""
    require_permission(actor, MANAGE_CUSTOM_FIELDS)
    current = lock_current(field)
    ensure_version(current, expected_version, compare_fields=CUSTOM_FIELD_FIELDS)
    before = snapshot(current, CUSTOM_FIELD_FIELDS)
    for name, value in changes.items():
        if name not in CUSTOM_FIELD_FIELDS:
            raise ValidationError(str(INVALID_INPUT), field_errors={name: ["not editable"]})
        setattr(current, name, value)
    _clean_custom_field(current, {})
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="customers.custom_field.updated",
        instance=current,
        changes=diff(before, snapshot(current, CUSTOM_FIELD_FIELDS)),
    )
    return current


@transaction.atomic
def saved_view_create(*, actor: Any, list_name: str, name: str, query: str) -> SavedView:
    """Save the actor's current list filter under a name (replacing one of the same name)."""
    view, _created = SavedView.objects.update_or_create(
        user=actor,
        list_name=list_name,
        name=(name or "").strip()[:100],
        defaults={"query": (query or "")[:2000]},
    )
    errors: dict[str, list[str]] = {}
    if not view.name:
        errors["name"] = [str(_("This field is required."))]
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    return view


@transaction.atomic
def saved_view_delete(*, actor: Any, saved_view: SavedView) -> None:
    if saved_view.user_id == actor.pk:
        saved_view.delete()
