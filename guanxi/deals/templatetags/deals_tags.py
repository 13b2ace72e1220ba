"""The opportunities panel of the customer 360 page, and small display filters.

customer_detail.html includes "deals/partials/customer_opportunities.html", which
asks `customer_opportunities` for its rows (one query; nothing for an actor
without deals.view_opportunity).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.deals.permissions import ADD_OPPORTUNITY, VIEW_OPPORTUNITY
from guanxi.deals.selectors import customer_opportunities as select_customer_opportunities
from guanxi.platform.permissions import has_permission

register = template.Library()


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def customer_opportunities(context: template.Context, customer: Any) -> dict[str, Any] | None:
    actor = _actor(context)
    if customer is None or actor is None or not has_permission(actor, VIEW_OPPORTUNITY):
        return None
    rows = select_customer_opportunities(actor=actor, customer_id=customer.pk)
    open_rows = [row for row in rows if row.is_open]
    return {
        "rows": rows,
        "open_total": sum((row.amount for row in open_rows), Decimal("0")),
        "open_count": len(open_rows),
        "can_add": has_permission(actor, ADD_OPPORTUNITY),
    }


@register.filter
def duration(seconds: Any) -> str:
    """3 days 4 h / 5 h 12 min / 8 min / under a minute."""
    try:
        total = max(0, int(seconds))
    except (TypeError, ValueError):
        return "—"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        return f"{text} {hours} h" if hours else text
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return _("under a minute")


@register.filter
def yuan(value: Any, places: int = 0) -> str:
    """1234567.8 -> "1,234,568" (places=0) or "1,234,567.80" (places=2): finance style
    grouping in both languages."""
    try:
        number = Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        return "—"
    return f"{number:,.{int(places)}f}"
