"""The sales panel of the customer 360 page, without customers importing sales.

customer_detail.html includes "sales/partials/customer_sales.html", which asks
this tag for the summary (two queries, however many orders the customer has).
"""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.platform.permissions import has_permission
from guanxi.sales.selectors import CustomerSalesSummary, customer_sales_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_sales(context: template.Context, customer: Any) -> CustomerSalesSummary | None:
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user")
    if customer is None or actor is None:
        return None
    return customer_sales_summary(actor=actor, customer_id=customer.pk)


@register.simple_tag(takes_context=True)
def can_add_order(context: template.Context) -> bool:
    request = context.get("request")
    return has_permission(getattr(request, "user", None), "sales.add_order")
