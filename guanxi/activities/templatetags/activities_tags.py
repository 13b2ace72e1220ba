"""Task and meeting panels for pages of other apps (customer 360, home) without them
importing activities."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from guanxi.activities.permissions import (
    ADD_MEETING,
    ADD_TASK,
    CHANGE_TASK,
    VIEW_MEETING,
    VIEW_TASK,
)
from guanxi.activities.selectors import (
    customer_meetings,
    customer_tasks,
    my_day,
    related_tasks,
    upcoming_meetings,
)
from guanxi.platform.permissions import has_permission

register = template.Library()


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def customer_task_panel(context: template.Context, customer: Any) -> dict[str, Any] | None:
    actor = _actor(context)
    if customer is None or actor is None or not has_permission(actor, VIEW_TASK):
        return None
    return {
        "tasks": customer_tasks(actor=actor, customer_id=customer.pk),
        "can_add": has_permission(actor, ADD_TASK),
        "can_change": has_permission(actor, CHANGE_TASK),
        "today": timezone.localdate(),
    }


@register.simple_tag(takes_context=True)
def my_day_panel(context: template.Context) -> dict[str, Any] | None:
    actor = _actor(context)
    if actor is None or not has_permission(actor, VIEW_TASK):
        return None
    now = timezone.now()
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    meetings = (
        [
            meeting
            for meeting in upcoming_meetings(actor=actor, now=now, limit=10)
            if meeting.starts_at <= end_of_day
        ]
        if has_permission(actor, VIEW_MEETING)
        else []
    )
    return {
        "day": my_day(actor=actor),
        "meetings": meetings,
        "can_add": has_permission(actor, ADD_TASK),
        "can_change": has_permission(actor, CHANGE_TASK),
        "today": timezone.localdate(),
    }


@register.simple_tag(takes_context=True)
def customer_meeting_panel(context: template.Context, customer: Any) -> dict[str, Any] | None:
    actor = _actor(context)
    if customer is None or actor is None or not has_permission(actor, VIEW_MEETING):
        return None
    return {
        "meetings": customer_meetings(actor=actor, customer_id=customer.pk),
        "can_add": has_permission(actor, ADD_MEETING),
    }


@register.simple_tag(takes_context=True)
def record_task_panel(context: template.Context, kind: str, record: Any) -> dict[str, Any] | None:
    """Tasks about a lead, opportunity or contract: `{% record_task_panel "lead" lead as p %}`."""
    actor = _actor(context)
    if record is None or actor is None or not has_permission(actor, VIEW_TASK):
        return None
    return {
        "kind": kind,
        "tasks": related_tasks(actor=actor, kind=kind, record_id=record.pk),
        "can_add": has_permission(actor, ADD_TASK),
        "can_change": has_permission(actor, CHANGE_TASK),
        "today": timezone.localdate(),
    }
