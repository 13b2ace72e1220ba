"""Pool panels for pages of other apps (customer 360, lead page) and small filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from guanxi.platform.permissions import has_permission
from guanxi.pool.models import CustomerPoolState, LeadPoolState
from guanxi.pool.permissions import ASSIGN_POOL, CLAIM_POOL, VIEW_POOL
from guanxi.pool.selectors import record_events
from guanxi.pool.timeline_sources import event_title

register = template.Library()
PANEL_EVENTS = 5


@register.filter
def days_since(value: dt.datetime | None) -> int | str:
    if value is None:
        return ""
    return max(0, (timezone.now() - value).days)


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _panel(actor: Any, record: Any, *, kind: str) -> dict[str, Any] | None:
    if record is None or actor is None or not has_permission(actor, VIEW_POOL):
        return None
    state_model = CustomerPoolState if kind == "customer" else LeadPoolState
    state = state_model.objects.filter(**{f"{kind}_id": record.pk}).first()
    events = record_events(actor=actor, **{kind: record}, limit=PANEL_EVENTS)
    is_owner = record.owner_id is not None and record.owner_id == actor.pk
    return {
        "kind": kind,
        "record": record,
        "state": state,
        "events": [{"event": event, "title": event_title(event)} for event in events],
        "can_release": record.owner_id is not None
        and (
            (is_owner and has_permission(actor, CLAIM_POOL)) or has_permission(actor, ASSIGN_POOL)
        ),
    }


@register.simple_tag(takes_context=True)
def customer_pool_panel(context: template.Context, customer: Any) -> dict[str, Any] | None:
    """Owner status, a release button and the last pool movements (2 queries)."""
    return _panel(_actor(context), customer, kind="customer")


@register.simple_tag(takes_context=True)
def lead_pool_panel(context: template.Context, lead: Any) -> dict[str, Any] | None:
    return _panel(_actor(context), lead, kind="lead")


@register.simple_tag(takes_context=True)
def home_pool_panel(context: template.Context) -> dict[str, Any] | None:
    """The actor's records due back to the pool soon (2 counts); None when there are none."""
    from guanxi.pool.selectors import pool_due_list

    actor = _actor(context)
    if actor is None or not has_permission(actor, VIEW_POOL):
        return None
    counts = {
        "customers": pool_due_list(actor=actor, kind="customer").count(),
        "leads": pool_due_list(actor=actor, kind="lead").count(),
    }
    return counts if counts["customers"] or counts["leads"] else None
