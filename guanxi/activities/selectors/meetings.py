"""Meeting reads.

Who sees a meeting: its organiser, its creator and its attendees; whoever's data scope
covers the organiser (managers see their team's meetings); and whoever can see the
meeting's customer. Same shape as tasks (selectors.tasks), with attendance checked
through an EXISTS on the attendee table so a meeting never comes back twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from guanxi.activities.models import Meeting, MeetingStatus
from guanxi.activities.selectors.tasks import _reroot
from guanxi.customers.models import Customer
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import permission_code, scope_condition, scope_spec

MEETING_SORTS: dict[str, list[str]] = {
    "start": ["starts_at", "id"],
    "-start": ["-starts_at", "-id"],
    "id": ["id"],
    "-id": ["-id"],
}
CUSTOMER_MEETING_LIMIT = 10

Attendance = Meeting.attendees.through


@dataclass
class MeetingFilter:
    q: str = ""
    status: str = ""
    customer: int | None = None
    person: int | None = None  # organised by or attended by this user
    starts_from: dt.datetime | None = None
    starts_before: dt.datetime | None = None


def attends(user_id: int) -> Exists:
    return Exists(Attendance.objects.filter(meeting_id=OuterRef("pk"), user_id=user_id))


def _visible(actor: Any, *, action: str, include_deleted: bool) -> QuerySet[Meeting]:
    qs = Meeting.objects.all()
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if not has_permission(actor, permission_code(Meeting, action)):
        return qs.none()
    if not include_deleted:
        for path in scope_spec(Meeting).deleted_paths:
            qs = qs.filter(**{f"{path}__isnull": True})
    condition = scope_condition(Meeting, actor)
    if condition is None:
        return qs
    condition |= Q(created_by_id=actor.pk) | Q(attends(actor.pk))
    if has_permission(actor, permission_code(Customer, "view")):
        on_customer = scope_condition(Customer, actor)
        condition |= (
            Q(customer__isnull=False) if on_customer is None else _reroot(on_customer, "customer__")
        )
    return qs.filter(condition)


def meeting_list(
    *,
    actor: Any,
    filters: MeetingFilter | None = None,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[Meeting]:
    filters = filters or MeetingFilter()
    qs = _visible(actor, action=action, include_deleted=include_deleted)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.person:
        qs = qs.filter(Q(organiser_id=filters.person) | Q(attends(filters.person)))
    if filters.starts_from is not None:
        qs = qs.filter(ends_at__gte=filters.starts_from)
    if filters.starts_before is not None:
        qs = qs.filter(starts_at__lt=filters.starts_before)
    return qs.select_related("organiser", "customer", "created_by")


def with_people(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Attendees and contacts in two more queries (not one per meeting)."""
    from django.contrib.auth import get_user_model

    return qs.prefetch_related(
        Prefetch("attendees", queryset=get_user_model().objects.order_by("display_name", "pk")),
        "contacts",
    )


def meeting_get(*, actor: Any, meeting_id: Any, action: str = "view") -> Meeting:
    """One live meeting the actor may see (or change/delete); anything else 404s."""
    try:
        pk = int(meeting_id)
    except (TypeError, ValueError) as error:
        raise NotFound("meeting") from error
    meeting = (
        with_people(meeting_list(actor=actor, action=action)).filter(pk=pk).first()
        if 0 < pk < 2**63
        else None
    )
    if meeting is None:
        raise NotFound("meeting")
    return meeting


def meeting_is_restorable(meeting: Meeting, *, actor: Any) -> bool:
    return (
        meeting_list(actor=actor, action="delete", include_deleted=True)
        .filter(pk=meeting.pk, customer__deleted_at__isnull=True)
        .exists()
    )


def customer_meetings(*, actor: Any, customer_id: int) -> list[Meeting]:
    """The customer's meetings, latest first."""
    return list(
        meeting_list(actor=actor, filters=MeetingFilter(customer=customer_id)).order_by(
            "-starts_at", "-id"
        )[:CUSTOMER_MEETING_LIMIT]
    )


def upcoming_meetings(*, actor: Any, now: dt.datetime, limit: int = 10) -> list[Meeting]:
    return list(
        meeting_list(actor=actor, filters=MeetingFilter(person=actor.pk, starts_from=now))
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "id")[:limit]
    )
