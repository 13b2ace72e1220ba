"""The scores panel of the customer 360 page, without customers importing analytics."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.analytics.selectors import CustomerScoresSummary, customer_scores_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_scores(context: template.Context, customer: Any) -> CustomerScoresSummary | None:
    """Three queries; None without `analytics.view_scores`."""
    request = context.get("request")
    actor = getattr(request, "user", None) or context.get("user")
    if customer is None or actor is None:
        return None
    return customer_scores_summary(actor=actor, customer_id=customer.pk)


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{100 * float(value):.0f}%"
