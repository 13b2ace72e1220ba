"""Pool movements on the customer timeline (registered in PoolConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent
from guanxi.pool.models import PoolEvent, PoolEventKind


def event_title(event: PoolEvent) -> str:
    owner = str(event.owner or "")
    if event.kind == PoolEventKind.CLAIMED:
        return _("Claimed from the shared pool by %(owner)s") % {"owner": owner}
    if event.kind == PoolEventKind.ASSIGNED:
        return _("Assigned from the shared pool to %(owner)s") % {"owner": owner}
    if event.kind == PoolEventKind.RELEASED:
        return _("Released to the shared pool by %(owner)s") % {"owner": owner}
    return _("Recycled to the shared pool from %(owner)s (%(reason)s)") % {
        "owner": owner,
        "reason": event.get_recycle_reason_display(),
    }


def pool_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    """The customer's pool history; the timeline already checked the actor sees it."""
    qs = PoolEvent.objects.filter(customer_id=customer.pk).select_related("owner", "actor")
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEvent(
            at=event.created_at,
            kind=f"pool.{event.kind}",
            title=event_title(event),
            body=event.reason,
            actor_name=str(event.actor or _("System")),
            icon="history",
            extra={"pool_event": event},
        )
        for event in qs.order_by("-created_at", "-id")[:limit]
    ]
