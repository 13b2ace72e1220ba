"""Pool records for tests: customers and leads created through their services, then
put in the pool (no owner) the way a release or an import leaves them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.leads.models import Lead
from guanxi.leads.tests.factories import make_lead
from guanxi.pool.models import CustomerPoolState, PoolRule


def make_pool_customer(*, team: Any = None, **fields: Any) -> Customer:
    customer = CustomerFactory(**fields)
    Customer.objects.filter(pk=customer.pk).update(owner=None, team=team)
    customer.refresh_from_db()
    return customer


def make_pool_lead(*, team: Any = None, **fields: Any) -> Lead:
    lead = make_lead(**fields)
    Lead.objects.filter(pk=lead.pk).update(owner=None, team=team, assigned_at=None)
    lead.refresh_from_db()
    return lead


def make_held_customer(
    *, owner: Any, days_ago: int, followed_days_ago: int | None = None, **fields: Any
) -> Customer:
    """A customer `owner` got `days_ago` days ago, last followed `followed_days_ago`."""
    customer = CustomerFactory(owner=owner, **fields)
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(
        created_at=now - dt.timedelta(days=days_ago + 1),
        team=owner.team,
        last_interaction_at=(
            now - dt.timedelta(days=followed_days_ago) if followed_days_ago is not None else None
        ),
    )
    CustomerPoolState.objects.update_or_create(
        customer_id=customer.pk, defaults={"held_since": now - dt.timedelta(days=days_ago)}
    )
    customer.refresh_from_db()
    return customer


def make_rule(*, team: Any, **fields: Any) -> PoolRule:
    return PoolRule.objects.create(team=team, **fields)
