"""Converted leads on the customer timeline (registered in LeadsConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent
from guanxi.leads.models import Lead


def lead_conversion_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    """ "Converted from lead …" at the moment of conversion; the timeline has already
    checked that the actor sees the customer."""
    qs = Lead.objects.filter(converted_customer_id=customer.pk, converted_at__isnull=False)
    if before is not None:
        qs = qs.filter(converted_at__lt=before)
    events = []
    for lead in qs.select_related("converted_by").order_by("-converted_at", "-id")[:limit]:
        events.append(
            TimelineEvent(
                at=lead.converted_at,
                kind="lead.converted",
                title=_("Converted from lead %(lead)s") % {"lead": lead},
                body=_("Source: %(source)s") % {"source": lead.get_source_display()},
                actor_name=str(lead.converted_by or ""),
                url=reverse("leads:lead_detail", args=[lead.pk]),
                icon="lead",
            )
        )
    return events
