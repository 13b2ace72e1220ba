"""The quotes panel of the customer 360 page (included by sales/partials/customer_sales.html)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.platform.permissions import has_permission
from guanxi.sales.selectors import CustomerQuotesSummary, customer_quotes_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_quotes(context: template.Context, customer: Any) -> CustomerQuotesSummary | None:
    """One query (latest quotes with the open total); None without `sales.view_quote`."""
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user")
    if customer is None or actor is None:
        return None
    return customer_quotes_summary(actor=actor, customer_id=customer.pk)


@register.simple_tag(takes_context=True)
def can_add_quote(context: template.Context) -> bool:
    request = context.get("request")
    return has_permission(getattr(request, "user", None), "sales.add_quote")
