"""The contract panels of the customer 360 page and the home page, loaded by tags so
customers and platform never import contracts."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.contracts.permissions import ADD_CONTRACT
from guanxi.contracts.selectors import CustomerContracts, customer_contracts, overdue_instalments
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import may_act

register = template.Library()


def _actor(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def customer_contract_panel(context: template.Context, customer: Any) -> CustomerContracts | None:
    actor = _actor(context)
    if customer is None or actor is None:
        return None
    return customer_contracts(actor=actor, customer_id=customer.pk)


@register.simple_tag(takes_context=True)
def my_overdue_receivables(context: template.Context) -> list[Any] | None:
    """The actor's own overdue instalments (None when they cannot see contracts)."""
    from guanxi.contracts.models import Contract

    actor = _actor(context)
    if actor is None or not may_act(actor, Contract):
        return None
    return overdue_instalments(actor=actor, owner_id=actor.pk)


@register.simple_tag(takes_context=True)
def can_add_contract(context: template.Context) -> bool:
    return has_permission(_actor(context), ADD_CONTRACT)
