"""Orders and quotes on the customer timeline (registered in SalesConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.timeline import TimelineEvent
from guanxi.platform.permissions import has_permission
from guanxi.sales.selectors import OrderFilter, QuoteFilter, order_list, quote_list

# An order has a date, not a time: it sits at noon of that day on the timeline.
ORDER_TIME = dt.time(12, 0)


def _order_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, ORDER_TIME))


def order_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    if not has_permission(actor, "sales.view_order"):
        return []
    qs = order_list(actor=actor, filters=OrderFilter(customer=customer.pk))
    qs = qs.select_related(None).select_related("owner")  # not the page's customer again
    if before is not None:
        qs = qs.filter(order_date__lte=timezone.localtime(before).date())
    events = []
    for order in qs.order_by("-order_date", "-id")[: limit + 1]:
        at = _order_at(order.order_date)
        if before is not None and at >= before:
            continue
        events.append(
            TimelineEvent(
                at=at,
                kind=f"order.{order.status}",
                title=_("Order %(number)s · %(status)s")
                % {"number": order.number, "status": order.get_status_display()},
                body=_("Total %(total)s, profit %(profit)s")
                % {"total": order.total, "profit": order.profit},
                actor_name=str(order.owner or ""),
                url=reverse("sales:order_detail", args=[order.pk]),
                icon="order",
                extra={"order": order},
            )
        )
    return events[:limit]


def quote_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    """A quote sits at noon of its issue date, with its current status."""
    if not has_permission(actor, "sales.view_quote"):
        return []
    qs = quote_list(actor=actor, filters=QuoteFilter(customer=customer.pk))
    qs = qs.select_related(None).select_related("owner")  # not the page's customer again
    if before is not None:
        qs = qs.filter(issued_on__lte=timezone.localtime(before).date())
    events = []
    for quote in qs.order_by("-issued_on", "-id")[: limit + 1]:
        at = _order_at(quote.issued_on)
        if before is not None and at >= before:
            continue
        events.append(
            TimelineEvent(
                at=at,
                kind=f"quote.{quote.status}",
                title=_("Quote %(number)s · %(status)s")
                % {"number": quote.number, "status": quote.get_status_display()},
                body=_("Total %(total)s %(currency)s, valid until %(date)s")
                % {
                    "total": quote.total,
                    "currency": quote.currency,
                    "date": quote.valid_until.isoformat(),
                },
                actor_name=str(quote.owner or ""),
                url=reverse("sales:quote_detail", args=[quote.pk]),
                icon="quote",
                extra={"quote": quote},
            )
        )
    return events[:limit]
