"""Opportunity events on the customer timeline (registered in DealsConfig.ready).

Every stage change is an event: the first one is the creation, a move into a won
or lost stage is the win or the loss. Only opportunities the actor may see count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent
from guanxi.deals.models import StageHistory, StageKind
from guanxi.deals.selectors import OpportunityFilter, opportunity_list
from guanxi.platform.permissions import has_permission


def _title(row: StageHistory) -> tuple[str, str]:
    opportunity = row.opportunity
    names = {"title": opportunity.title, "stage": row.to_stage_name}
    kind = row.to_stage.kind if row.to_stage_id else StageKind.OPEN
    if not row.from_stage_name:
        return "opportunity.created", _("New opportunity: %(title)s · %(stage)s") % names
    if kind == StageKind.WON:
        return "opportunity.won", _("Opportunity won: %(title)s") % names
    if kind == StageKind.LOST:
        return "opportunity.lost", _("Opportunity lost: %(title)s") % names
    return "opportunity.stage_changed", _("Opportunity %(title)s: %(from)s → %(stage)s") % {
        **names,
        "from": row.from_stage_name,
    }


def opportunity_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    if not has_permission(actor, "deals.view_opportunity"):
        return []
    visible = opportunity_list(actor=actor, filters=OpportunityFilter(customer=customer.pk))
    qs = StageHistory.objects.filter(opportunity__in=visible.values("pk")).select_related(
        "opportunity", "changed_by", "to_stage"
    )
    if before is not None:
        qs = qs.filter(changed_at__lt=before)
    events = []
    for row in qs.order_by("-changed_at", "-id")[:limit]:
        kind, title = _title(row)
        opportunity = row.opportunity
        body = _("Amount ¥%(amount)s, expected to close %(close)s") % {
            "amount": f"{opportunity.amount:,.2f}",
            "close": opportunity.expected_close_on.isoformat(),
        }
        if kind == "opportunity.lost" and opportunity.lost_reason:
            body = _("Reason: %(reason)s") % {"reason": opportunity.lost_reason}
        events.append(
            TimelineEvent(
                at=row.changed_at,
                kind=kind,
                title=title,
                body=body,
                actor_name=str(row.changed_by or ""),
                url=reverse("deals:opportunity_detail", args=[opportunity.pk]),
                icon="opportunity",
                extra={"opportunity": opportunity},
            )
        )
    return events
