"""Customer reads. Every one starts from platform.scoping.scoped (STYLE.md rule 5)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from guanxi.customers.models import (
    Contact,
    Customer,
    CustomField,
    CustomFieldType,
    Interaction,
    SavedView,
    Tag,
    TagGroup,
)
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import scoped
from guanxi.platform.search import search_filter

CUSTOMER_SORTS: dict[str, list[str]] = {
    "-id": ["-id"],
    "id": ["id"],
    "name": ["sort_name", "id"],
    "-name": ["-sort_name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
    "grade": ["grade", "id"],
    "-grade": ["-grade", "-id"],
    "stage": ["lifecycle_stage", "id"],
    "-stage": ["-lifecycle_stage", "-id"],
    "source": ["source", "id"],
    "-source": ["-source", "-id"],
    "industry": ["industry", "id"],
    "-industry": ["-industry", "-id"],
    "city": ["city", "id"],
    "-city": ["-city", "-id"],
}
CONTACT_SORTS: dict[str, list[str]] = {
    "-id": ["-id"],
    "id": ["id"],
    "name": ["sort_name", "id"],
    "-name": ["-sort_name", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}


@dataclass
class CustomerFilter:
    q: str = ""
    owner: int | None = None
    team: int | None = None
    tag: int | None = None
    grade: str = ""
    stage: str = ""
    source: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    updated_from: dt.date | None = None
    updated_to: dt.date | None = None
    custom: dict[str, str] = field(default_factory=dict)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _apply_custom_filters(qs: QuerySet, target: str, custom: dict[str, str]) -> QuerySet:
    definitions = {d.key: d for d in custom_field_definitions(target)}
    for key, value in custom.items():
        definition = definitions.get(key)
        if definition is None or value in ("", None):
            continue
        if definition.field_type == CustomFieldType.MULTI_CHOICE:
            # JSON array containment is not portable across SQLite/PostgreSQL;
            # match the serialised element instead.
            # The stored text may hold the choice raw or \u-escaped (Django writes JSON
            # with ensure_ascii; PostgreSQL's jsonb prints it raw): accept either form.
            lookup = f"custom_fields__{key}__icontains"
            qs = qs.filter(
                Q(**{lookup: json.dumps(str(value), ensure_ascii=False)})
                | Q(**{lookup: json.dumps(str(value))})
            )
        elif definition.field_type == CustomFieldType.NUMBER:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return qs.none()
            if not math.isfinite(number):  # NaN/inf are not JSON: the database would refuse
                return qs.none()
            qs = qs.filter(**{f"custom_fields__{key}": number})
        else:
            qs = qs.filter(**{f"custom_fields__{key}": value})
    return qs


def customer_list(
    *, actor: Any, filters: CustomerFilter | None = None, action: str = "view"
) -> QuerySet[Customer]:
    filters = filters or CustomerFilter()
    qs = scoped(Customer.objects.all(), actor=actor, action=action)
    if filters.q:
        qs = search_filter(qs, filters.q)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.tag:
        qs = qs.filter(tags__id=filters.tag)
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.stage:
        qs = qs.filter(lifecycle_stage=filters.stage)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + dt.timedelta(days=1)))
    if filters.updated_from:
        qs = qs.filter(updated_at__gte=_day_start(filters.updated_from))
    if filters.updated_to:
        qs = qs.filter(updated_at__lt=_day_start(filters.updated_to + dt.timedelta(days=1)))
    if filters.custom:
        qs = _apply_custom_filters(qs, "customer", filters.custom)
    return qs.select_related("owner", "team").prefetch_related("tags")


def customer_get(*, actor: Any, customer_id: Any, action: str = "view") -> Customer:
    """One customer in the actor's scope; anything else (missing, deleted, out of scope) 404s."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError) as error:
        raise NotFound("customer") from error
    customer = (
        scoped(Customer.objects.filter(pk=pk), actor=actor, action=action)
        .select_related("owner", "team", "created_by")
        .prefetch_related(
            "tags",
            Prefetch(
                "contacts",
                queryset=Contact.objects.filter(deleted_at__isnull=True).order_by(
                    "-is_primary", "id"
                ),
                to_attr="live_contacts",
            ),
        )
        .first()
    )
    if customer is None:
        raise NotFound("customer")
    return customer


@dataclass
class ContactFilter:
    q: str = ""
    customer: int | None = None
    owner: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    custom: dict[str, str] = field(default_factory=dict)


def contact_list(*, actor: Any, filters: ContactFilter | None = None) -> QuerySet[Contact]:
    filters = filters or ContactFilter()
    qs = scoped(Contact.objects.all(), actor=actor)
    if filters.q:
        qs = search_filter(qs, filters.q)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.owner:
        qs = qs.filter(customer__owner_id=filters.owner)
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + dt.timedelta(days=1)))
    if filters.custom:
        qs = _apply_custom_filters(qs, "contact", filters.custom)
    return qs.select_related("customer", "customer__owner")


def contact_get(*, actor: Any, contact_id: Any, action: str = "view") -> Contact:
    try:
        pk = int(contact_id)
    except (TypeError, ValueError) as error:
        raise NotFound("contact") from error
    contact = (
        scoped(Contact.objects.filter(pk=pk), actor=actor, action=action)
        .select_related("customer", "customer__owner")
        .first()
    )
    if contact is None:
        raise NotFound("contact")
    return contact


def interaction_list(
    *, actor: Any, customer_id: int | None = None, author_id: int | None = None
) -> QuerySet[Interaction]:
    qs = scoped(Interaction.objects.all(), actor=actor)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if author_id is not None:
        qs = qs.filter(author_id=author_id)
    return qs.select_related("author", "contact", "customer")


def interaction_get(*, actor: Any, interaction_id: Any, action: str = "view") -> Interaction:
    try:
        pk = int(interaction_id)
    except (TypeError, ValueError) as error:
        raise NotFound("interaction") from error
    interaction = (
        scoped(Interaction.objects.filter(pk=pk), actor=actor, action=action)
        .select_related("author", "contact", "customer")
        .first()
    )
    if interaction is None:
        raise NotFound("interaction")
    return interaction


def follow_ups_due(*, actor: Any, day: dt.date | None = None) -> QuerySet[Interaction]:
    """Open follow-ups due on or before `day` on the actor's own customers or written by them."""
    day = day or timezone.localdate()
    return (
        interaction_list(actor=actor)
        .filter(
            Q(author_id=actor.pk) | Q(customer__owner_id=actor.pk),
            is_follow_up_done=False,
            next_follow_up_on__lte=day,
        )
        .order_by("next_follow_up_on", "id")
    )


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.select_related("group").order_by("group__order", "group__name", "name")


def tag_group_list() -> QuerySet[TagGroup]:
    return TagGroup.objects.prefetch_related("tags")


def custom_field_definitions(target: str, *, include_inactive: bool = False) -> list[CustomField]:
    qs = CustomField.objects.filter(target=target)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("order", "id"))


def saved_view_list(*, actor: Any, list_name: str) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user_id=actor.pk, list_name=list_name)


def can_see_contact_details(actor: Any) -> bool:
    from guanxi.customers.permissions import VIEW_CONTACT_DETAILS

    return has_permission(actor, VIEW_CONTACT_DETAILS)
