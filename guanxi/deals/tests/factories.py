"""Helpers that create opportunities through the services (STYLE.md rule 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.customers.tests.factories import CustomerFactory, _superuser_actor
from guanxi.deals.models import Opportunity, Pipeline, Stage
from guanxi.deals.services import opportunity_create, pipeline_ensure_default


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def make_opportunity(*, actor: Any = None, customer: Any = None, **fields: Any) -> Opportunity:
    """An open opportunity of ¥10,000 closing in 30 days, owned by the customer's owner
    (a new customer of `actor` when none is given)."""
    actor = actor or (customer.owner if customer is not None else None) or _superuser_actor()
    if customer is None:
        customer = CustomerFactory(owner=actor)
    fields.setdefault("title", f"{customer.name} 采购项目")
    fields.setdefault("amount", Decimal("10000.00"))
    fields.setdefault("expected_close_on", days_from_today(30))
    return opportunity_create(actor=actor, customer=customer, **fields)


def stages_of(pipeline: Pipeline | None = None) -> list[Stage]:
    pipeline = pipeline or pipeline_ensure_default()
    return list(pipeline.stages.order_by("order", "id"))
