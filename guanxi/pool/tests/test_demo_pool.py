"""The demo pool loader: a rule on the department, one history event per pool customer."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from guanxi.demo.pool import load_pool
from guanxi.pool.models import CustomerPoolState, PoolEvent, PoolRule
from guanxi.pool.tests.factories import make_held_customer, make_pool_customer

pytestmark = pytest.mark.django_db


def test_load_pool_writes_history_for_unowned_customers(org: Any) -> None:
    pool = [make_pool_customer(team=org.east) for _ in range(4)]
    owned = make_held_customer(owner=org.east_rep, days_ago=3)
    ids = [c.pk for c in [*pool, owned]]
    written = load_pool(
        seed=1,
        team=org.sales_dept,
        owner_ids=[org.east_rep.pk, org.west_rep.pk],
        first_customer_id=min(ids),
        last_customer_id=max(ids),
        now=timezone.now(),
        batch_size=2,
    )
    assert written == 4
    assert PoolRule.objects.get().team_id == org.sales_dept.pk
    assert set(PoolEvent.objects.values_list("customer_id", flat=True)) == {c.pk for c in pool}
    assert CustomerPoolState.objects.filter(entered_pool_at__isnull=False).count() == 4
    assert not PoolEvent.objects.filter(customer=owned).exists()
    # Running again keeps one state per customer and the admin's rule.
    PoolRule.objects.update(max_leads=5)
    load_pool(
        seed=1,
        team=org.sales_dept,
        owner_ids=[org.east_rep.pk],
        first_customer_id=min(ids),
        last_customer_id=max(ids),
        now=timezone.now(),
    )
    assert CustomerPoolState.objects.filter(customer__in=pool).count() == 4
    assert PoolRule.objects.get().max_leads == 5
