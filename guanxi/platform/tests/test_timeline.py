"""The customer timeline merges every registered source, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers import timeline
from guanxi.customers.selectors import customer_get
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory
from guanxi.customers.timeline import TimelineEvent, timeline_for_customer

NOW = timezone.now().replace(microsecond=0)


def ago(hours: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours)


@pytest.fixture
def fake_source(monkeypatch):
    """A source another app would register in its ready(): orders at -2h, -4h and -30h.

    Registered through the public function; monkeypatch restores the registry after.
    """
    calls = []

    def orders(*, customer, actor, limit, before):
        calls.append({"customer": customer.pk, "actor": actor, "limit": limit, "before": before})
        events = [
            TimelineEvent(at=ago(hours), kind="sales.order", title=f"订单 {hours}h")
            for hours in (2, 4, 30)
        ]
        return [e for e in events if before is None or e.at < before][:limit]

    monkeypatch.setattr(timeline, "_sources", dict(timeline._sources))
    timeline.register_timeline_source("tests.orders", orders)
    return calls


@pytest.fixture
def customer(org):
    customer = CustomerFactory(owner=org.east_rep, name="张三")
    ContactFactory(customer=customer, name="李秘书")
    for hours in (1, 3, 40):
        InteractionFactory(customer=customer, occurred_at=ago(hours), content=f"电话 {hours}h")
    return customer_get(actor=org.east_rep, customer_id=customer.pk)


def titles(events):
    return [e.body if e.kind.startswith("interaction") else e.title for e in events]


def test_sources_merge_newest_first(org, customer, fake_source):
    events = timeline_for_customer(customer=customer, actor=org.east_rep)
    times = [e.at for e in events]
    assert times == sorted(times, reverse=True)
    kinds = {e.kind.split(".")[0] for e in events}
    assert kinds == {"audit", "interaction", "sales"}
    past = [e for e in events if e.at < NOW]  # the audit entries were written just now
    assert titles(past) == ["电话 1h", "订单 2h", "电话 3h", "订单 4h", "订单 30h", "电话 40h"]
    audit_kinds = {e.kind for e in events if e.kind.startswith("audit")}
    assert audit_kinds == {"audit.customers.customer.created", "audit.customers.contact.created"}


def test_limit_is_respected_and_passed_to_every_source(org, customer, fake_source):
    events = timeline_for_customer(customer=customer, actor=org.east_rep, limit=3)
    assert len(events) == 3
    assert fake_source[-1]["limit"] == 3
    assert fake_source[-1]["actor"] == org.east_rep


def test_before_pages_back_in_time(org, customer, fake_source):
    events = timeline_for_customer(customer=customer, actor=org.east_rep, before=ago(1.5))
    assert titles(events) == ["订单 2h", "电话 3h", "订单 4h", "订单 30h", "电话 40h"]
    assert fake_source[-1]["before"] == ago(1.5)
    older = timeline_for_customer(customer=customer, actor=org.east_rep, before=ago(4), limit=1)
    assert titles(older) == ["订单 30h"]


def test_a_source_without_events_changes_nothing(org, customer, monkeypatch):
    before = timeline_for_customer(customer=customer, actor=org.east_rep)
    monkeypatch.setattr(timeline, "_sources", dict(timeline._sources))
    timeline.register_timeline_source("tests.empty", lambda **kwargs: [])
    assert timeline_for_customer(customer=customer, actor=org.east_rep) == before


def test_the_fake_source_is_gone_after_the_test(org, customer):
    assert "tests.orders" not in timeline._sources
    events = timeline_for_customer(customer=customer, actor=org.east_rep)
    assert not any(e.kind == "sales.order" for e in events)


def test_follow_ups_are_limited_to_what_the_actor_may_see(org, customer):
    """The interaction source goes through the scoped selector: a stranger sees none."""
    events = timeline_for_customer(customer=customer, actor=org.west_rep)
    assert not any(e.kind.startswith("interaction") for e in events)
