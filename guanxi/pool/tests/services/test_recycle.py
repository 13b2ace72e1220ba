"""The nightly recycling run: rules, inheritance, warnings once per cycle, no double recycling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.leads.models import Lead
from guanxi.notifications.models import Notification
from guanxi.platform.models import AuditEntry
from guanxi.pool.models import CustomerPoolState, PoolEvent, RecycleReason
from guanxi.pool.services import pool_claim, pool_recycle_run
from guanxi.pool.tests.factories import make_held_customer, make_pool_lead, make_rule
from guanxi.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _owner(customer: Customer) -> int | None:
    return Customer.objects.get(pk=customer.pk).owner_id


def test_no_follow_up_for_n_days_goes_back(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=0)
    stale = make_held_customer(owner=org.east_rep, days_ago=40)
    followed = make_held_customer(owner=org.east_rep, days_ago=40, followed_days_ago=5)
    fresh = make_held_customer(owner=org.east_rep, days_ago=10)
    old_follow_up_new_owner = make_held_customer(
        owner=org.east_rep, days_ago=3, followed_days_ago=90
    )
    west = make_held_customer(owner=org.west_rep, days_ago=400)  # no rule for west

    result = pool_recycle_run()

    assert result.recycled_customers == 1
    assert _owner(stale) is None
    assert _owner(followed) == _owner(fresh) == _owner(old_follow_up_new_owner) == org.east_rep.pk
    assert _owner(west) == org.west_rep.pk
    event = PoolEvent.objects.get(customer=stale)
    assert event.kind == "recycled" and event.owner_id == org.east_rep.pk
    assert event.recycle_reason == RecycleReason.NO_FOLLOW_UP
    assert event.rule.team_id == org.east.pk and event.team_id == org.east.pk
    assert Customer.objects.get(pk=stale.pk).team_id == org.east.pk  # back to the east pool
    assert CustomerPoolState.objects.get(customer=stale).entered_pool_at is not None
    entry = AuditEntry.objects.get(action="pool.customer.recycled")
    assert entry.object_type == "pool.poolevent" and entry.object_id == str(event.pk)
    assert entry.object_repr == stale.name
    assert entry.changes == {
        "customer": stale.pk,
        "owner": [org.east_rep.pk, None],
        "rule": event.rule_id,
        "reason": "no_follow_up",
    }


def test_nothing_is_recycled_twice(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=0)
    stale = make_held_customer(owner=org.east_rep, days_ago=40)
    pool_recycle_run()
    second = pool_recycle_run()
    assert second.recycled_customers == 0
    assert PoolEvent.objects.filter(customer=stale).count() == 1
    # Claimed again today: the clock restarts, the old follow-up date does not count.
    pool_claim(actor=org.east_rep2, customer=stale)
    assert pool_recycle_run().recycled_customers == 0
    assert _owner(stale) == org.east_rep2.pk


def test_no_deal_for_m_days(org: Any) -> None:
    make_rule(team=org.east, recycle_without_deal_days=60, warn_days_before=0)
    buyer = make_held_customer(owner=org.east_rep, days_ago=100, followed_days_ago=1)
    make_order(customer=buyer, order_date=timezone.localdate() - dt.timedelta(days=10))
    old_buyer = make_held_customer(owner=org.east_rep, days_ago=100, followed_days_ago=1)
    make_order(customer=old_buyer, order_date=timezone.localdate() - dt.timedelta(days=70))
    pool_recycle_run()
    assert _owner(buyer) == org.east_rep.pk
    assert _owner(old_buyer) is None
    assert PoolEvent.objects.get(customer=old_buyer).recycle_reason == RecycleReason.NO_DEAL


def test_rule_is_inherited_from_the_nearest_ancestor(org: Any) -> None:
    make_rule(team=org.sales_dept, recycle_without_follow_up_days=30, warn_days_before=0)
    make_rule(team=org.east, recycle_without_follow_up_days=90, warn_days_before=0)
    west = make_held_customer(owner=org.west_rep, days_ago=40)
    east = make_held_customer(owner=org.east_rep, days_ago=40)
    pool_recycle_run()
    assert _owner(west) is None  # the department's 30 days
    assert _owner(east) == org.east_rep.pk  # east's own 90 days


def test_owner_is_warned_once_per_cycle(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=5)
    due_soon = make_held_customer(owner=org.east_rep, days_ago=27, name="快到期公司")
    make_held_customer(owner=org.east_rep, days_ago=10)

    result = pool_recycle_run()

    assert result.warned_customers == 1 and result.notifications == 1
    assert _owner(due_soon) == org.east_rep.pk
    notification = Notification.objects.get(recipient=org.east_rep, kind="pool.recycle_warning")
    assert "快到期公司" in notification.body
    assert pool_recycle_run().warned_customers == 0
    assert Notification.objects.filter(kind="pool.recycle_warning").count() == 1
    # A follow-up after the warning starts a new cycle; once it nears its end, warn again.
    now = timezone.now()
    CustomerPoolState.objects.filter(customer=due_soon).update(
        held_since=now - dt.timedelta(days=60), warned_at=now - dt.timedelta(days=33)
    )
    Customer.objects.filter(pk=due_soon.pk).update(last_interaction_at=now - dt.timedelta(days=27))
    assert pool_recycle_run().warned_customers == 1


def test_leads_follow_the_follow_up_rule(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=14, warn_days_before=0)
    lead = make_pool_lead(team=org.east)
    Lead.objects.filter(pk=lead.pk).update(
        owner=org.east_rep, assigned_at=timezone.now() - dt.timedelta(days=20)
    )
    followed = make_pool_lead(team=org.east)
    Lead.objects.filter(pk=followed.pk).update(
        owner=org.east_rep,
        assigned_at=timezone.now() - dt.timedelta(days=20),
        last_followed_at=timezone.now() - dt.timedelta(days=2),
    )
    result = pool_recycle_run()
    assert result.recycled_leads == 1
    assert Lead.objects.get(pk=lead.pk).owner_id is None
    assert Lead.objects.get(pk=followed.pk).owner_id == org.east_rep.pk
    assert PoolEvent.objects.get(lead=lead).kind == "recycled"


def test_no_rules_no_work(org: Any) -> None:
    make_held_customer(owner=org.east_rep, days_ago=999)
    assert pool_recycle_run().recycled_customers == 0
