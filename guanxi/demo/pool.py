"""The demo company's shared pool (公海): one rule on the sales department and a
history for the customers the demo rows leave without an owner.

The customer rows already put a share of customers in the pool (owner NULL,
demo/rows.py). Here each of them gets how it got there: released by a rep with
one of a few everyday reasons, or recycled by the rule, some days to a year ago
(so "days in pool" varies). Written in batches with insert_many, customers read
back in id order: memory stays flat at 1,000,000 customers.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

RELEASE_REASONS = [
    "客户暂无需求",
    "联系不上决策人",
    "预算冻结，明年再跟",
    "非目标客户",
    "客户已选择竞品",
    "手上客户太多，跟进不过来",
]
RELEASED_SHARE = 0.6
MAX_DAYS_IN_POOL = 365


def ensure_pool_rule(team: Any) -> Any:
    """The department's rule (created once; an admin's later edits are kept)."""
    from guanxi.pool.models import PoolRule

    rule, _created = PoolRule.objects.get_or_create(
        team=team,
        defaults={
            "max_customers": None,
            "max_leads": 300,
            "recycle_without_follow_up_days": 90,
            "recycle_without_deal_days": 365,
            "warn_days_before": 7,
        },
    )
    return rule


def load_pool(
    *,
    seed: int,
    team: Any,
    owner_ids: list[int],
    first_customer_id: int,
    last_customer_id: int,
    now: dt.datetime,
    batch_size: int = 5000,
) -> int:
    """Pool history for this run's unowned customers; returns how many events were written.

    `team` gets the rule (the demo's sales department); `owner_ids` are the reps
    who released or lost the customers.
    """
    from guanxi.customers.models import Customer
    from guanxi.platform.bulk import insert_many
    from guanxi.pool.models import (
        CustomerPoolState,
        PoolEvent,
        PoolEventKind,
        RecycleReason,
    )

    with transaction.atomic():
        rule = ensure_pool_rule(team)
    if not owner_ids or last_customer_id < first_customer_id:
        return 0
    rng = random.Random(seed * 31 + 5)
    written = 0
    low = first_customer_id
    while low <= last_customer_id:
        high = min(low + batch_size, last_customer_id + 1)
        rows = list(
            Customer.objects.filter(pk__gte=low, pk__lt=high, owner__isnull=True).values_list(
                "pk", "team_id"
            )
        )
        events: list[Any] = []
        states: list[Any] = []
        for customer_id, team_id in rows:
            at = now - dt.timedelta(days=rng.uniform(0, MAX_DAYS_IN_POOL))
            owner_id = rng.choice(owner_ids)
            if rng.random() < RELEASED_SHARE:
                event = PoolEvent(
                    kind=PoolEventKind.RELEASED,
                    customer_id=customer_id,
                    owner_id=owner_id,
                    actor_id=owner_id,
                    team_id=team_id,
                    reason=rng.choice(RELEASE_REASONS),
                    created_at=at,
                )
            else:
                event = PoolEvent(
                    kind=PoolEventKind.RECYCLED,
                    customer_id=customer_id,
                    owner_id=owner_id,
                    team_id=team_id,
                    rule_id=rule.pk,
                    recycle_reason=rng.choice([RecycleReason.NO_FOLLOW_UP, RecycleReason.NO_DEAL]),
                    created_at=at,
                )
            events.append(event)
            states.append(CustomerPoolState(customer_id=customer_id, entered_pool_at=at))
        with transaction.atomic():
            CustomerPoolState.objects.filter(customer_id__in=[row[0] for row in rows]).delete()
            insert_many(PoolEvent, events)
            insert_many(CustomerPoolState, states)
        written += len(events)
        low = high
    return written
