"""This app's own timeline events: follow-ups, contacts and the customer's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.customers.models import Customer
from guanxi.customers.selectors import interaction_list
from guanxi.customers.timeline import TimelineEvent, register_timeline_source
from guanxi.platform.models import AuditEntry

AUDIT_TITLES = {
    "customers.customer.created": gettext_noop("Customer created"),
    "customers.customer.updated": gettext_noop("Customer updated"),
    "customers.customer.transferred": gettext_noop("Customer transferred"),
    "customers.customer.deleted": gettext_noop("Moved to the recycle bin"),
    "customers.customer.restored": gettext_noop("Restored from the recycle bin"),
    "customers.customer.merged": gettext_noop("Merged with another customer"),
    "customers.customer.merge_undone": gettext_noop("Merge undone"),
    "customers.contact.created": gettext_noop("Contact added"),
    "customers.contact.updated": gettext_noop("Contact updated"),
    "customers.contact.deleted": gettext_noop("Contact deleted"),
    "customers.customer.lead_converted": gettext_noop("Converted from a lead"),
    "analytics.customer.graded": gettext_noop("Grade changed by scoring"),
    "analytics.customer.stage_changed": gettext_noop("Lifecycle stage changed by scoring"),
    "analytics.win_back.started": gettext_noop("Win-back started"),
}


def interaction_events(
    *, customer: Customer, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    # Not the customer again (the list joins it for other pages): it is the page's.
    qs = interaction_list(actor=actor, customer_id=customer.pk)
    qs = qs.select_related(None).select_related("author", "contact")
    if before is not None:
        qs = qs.filter(occurred_at__lt=before)
    return [
        TimelineEvent(
            at=item.occurred_at,
            kind=f"interaction.{item.kind}",
            title=item.get_kind_display(),
            body=item.content,
            actor_name=str(item.author or ""),
            url=reverse("customers:interaction_update", args=[item.pk]),
            icon=item.kind,
            extra={"interaction": item},
        )
        for item in qs.order_by("-occurred_at", "-id")[:limit]
    ]


def history_events(
    *, customer: Customer, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    """Audit entries of the customer itself and of its contacts."""
    contact_ids = [str(c.pk) for c in getattr(customer, "live_contacts", [])]
    qs = AuditEntry.objects.filter(
        object_type="customers.customer", object_id=str(customer.pk)
    ) | AuditEntry.objects.filter(object_type="customers.contact", object_id__in=contact_ids)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEvent(
            at=entry.created_at,
            kind=f"audit.{entry.action}",
            title=_(AUDIT_TITLES.get(entry.action, entry.action)),
            body=entry.object_repr if entry.object_type != "customers.customer" else "",
            actor_name=str(entry.actor or ""),
            icon="history",
            extra={"entry": entry},
        )
        for entry in qs.select_related("actor").order_by("-created_at", "-id")[:limit]
    ]


def register() -> None:
    register_timeline_source("customers.interactions", interaction_events)
    register_timeline_source("customers.history", history_events)
