"""Claim, release and assign: limits, visibility, messages, history and audit."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.models import Customer
from guanxi.leads.models import Lead
from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.pool.models import CustomerPoolState, PoolEvent, PoolEventKind
from guanxi.pool.services import (
    AlreadyClaimed,
    NotInPool,
    OverLimit,
    pool_assign,
    pool_claim,
    pool_claim_many,
    pool_release,
)
from guanxi.pool.tests.factories import (
    make_held_customer,
    make_pool_customer,
    make_pool_lead,
    make_rule,
)

pytestmark = pytest.mark.django_db


def test_claim_makes_the_rep_owner_and_records_history(org: Any) -> None:
    customer = make_pool_customer(team=org.east)
    event = pool_claim(actor=org.east_rep, customer=customer)
    customer.refresh_from_db()
    assert customer.owner_id == org.east_rep.pk
    assert customer.team_id == org.east.pk
    assert customer.version == 2
    assert event.kind == PoolEventKind.CLAIMED and event.owner_id == org.east_rep.pk
    assert CustomerPoolState.objects.get(customer=customer).held_since is not None
    assert AuditEntry.objects.filter(action="pool.customer.claimed").count() == 1


def test_second_claim_says_who_has_it(org: Any) -> None:
    customer = make_pool_customer(team=org.east)
    pool_claim(actor=org.east_rep, customer=customer)
    with pytest.raises(AlreadyClaimed) as error:
        pool_claim(actor=org.east_rep2, customer=customer)
    assert "张三" in error.value.message
    assert error.value.status_code == 409
    assert PoolEvent.objects.filter(customer=customer, kind="claimed").count() == 1


def test_rep_cannot_claim_from_another_teams_pool(org: Any) -> None:
    customer = make_pool_customer(team=org.east)
    with pytest.raises(NotFound):
        pool_claim(actor=org.west_rep, customer=customer)
    teamless = make_pool_customer(team=None)
    pool_claim(actor=org.west_rep, customer=teamless)


def test_a_rule_on_the_department_makes_one_pool(org: Any) -> None:
    make_rule(team=org.sales_dept)
    customer = make_pool_customer(team=org.east)
    pool_claim(actor=org.west_rep, customer=customer)
    customer.refresh_from_db()
    assert customer.owner_id == org.west_rep.pk
    assert customer.team_id == org.west.pk


def test_service_agent_without_permission_cannot_claim(org: Any) -> None:
    customer = make_pool_customer(team=None)
    with pytest.raises(PermissionDenied):
        pool_claim(actor=org.service_agent, customer=customer)


def test_limit_counts_what_the_rep_holds(org: Any) -> None:
    make_rule(team=org.sales_dept, max_customers=2)
    make_held_customer(owner=org.east_rep, days_ago=1)
    first = make_pool_customer(team=org.east)
    second = make_pool_customer(team=org.east)
    pool_claim(actor=org.east_rep, customer=first)
    with pytest.raises(OverLimit) as error:
        pool_claim(actor=org.east_rep, customer=second)
    assert error.value.extra == {"held": 2, "limit": 2}
    assert Customer.objects.get(pk=second.pk).owner_id is None
    # The team's own rule overrides the department's.
    make_rule(team=org.east, max_customers=5)
    pool_claim(actor=org.east_rep, customer=second)


def test_lead_limit_is_separate(org: Any) -> None:
    make_rule(team=org.east, max_customers=0, max_leads=1)
    lead = make_pool_lead(team=org.east)
    pool_claim(actor=org.east_rep, lead=lead)
    lead.refresh_from_db()
    assert lead.owner_id == org.east_rep.pk and lead.assigned_at is not None
    with pytest.raises(OverLimit):
        pool_claim(actor=org.east_rep, lead=make_pool_lead(team=org.east))
    with pytest.raises(OverLimit):
        pool_claim(actor=org.east_rep, customer=make_pool_customer(team=org.east))


def test_claim_many_stops_at_the_limit(org: Any) -> None:
    make_rule(team=org.east, max_customers=2)
    customers = [make_pool_customer(team=org.east) for _ in range(3)]
    taken = make_pool_customer(team=org.east)
    pool_claim(actor=org.east_rep2, customer=taken)
    result = pool_claim_many(
        actor=org.east_rep, customer_ids=[taken.pk, *[c.pk for c in customers]]
    )
    assert result.claimed == [customers[0].pk, customers[1].pk]
    assert "李四" in result.errors[taken.pk]
    assert customers[2].pk in result.errors


def test_release_needs_a_reason_and_returns_to_the_teams_pool(org: Any) -> None:
    customer = make_pool_customer(team=org.east)
    pool_claim(actor=org.east_rep, customer=customer)
    with pytest.raises(ValidationError) as error:
        pool_release(actor=org.east_rep, customer=customer, reason="  ")
    assert "reason" in error.value.field_errors
    with pytest.raises(ValidationError):
        pool_release(actor=org.east_rep, customer=customer, reason="长" * 301)
    event = pool_release(actor=org.east_rep, customer=customer, reason="客户暂无需求")
    customer.refresh_from_db()
    assert customer.owner_id is None and customer.team_id == org.east.pk
    assert event.reason == "客户暂无需求" and event.owner_id == org.east_rep.pk
    assert CustomerPoolState.objects.get(customer=customer).entered_pool_at is not None
    with pytest.raises(NotInPool):
        pool_release(actor=org.east_rep, customer=customer, reason="again")


def test_only_owner_or_manager_releases(org: Any) -> None:
    customer = make_held_customer(owner=org.east_rep, days_ago=3)
    with pytest.raises(NotFound):
        pool_release(actor=org.east_rep2, customer=customer, reason="不是我的")
    with pytest.raises(NotFound):
        pool_release(actor=org.east_rep, customer=10**30, reason="x")
    pool_release(actor=org.manager, customer=customer, reason="调整")
    assert Customer.objects.get(pk=customer.pk).owner_id is None


def test_manager_assigns_within_the_rep_limit(org: Any) -> None:
    make_rule(team=org.east, max_customers=1)
    first = make_pool_customer(team=org.east)
    second = make_pool_customer(team=org.east)
    event = pool_assign(actor=org.manager, assignee=org.east_rep, customer=first)
    assert event.kind == PoolEventKind.ASSIGNED and event.actor_id == org.manager.pk
    assert Customer.objects.get(pk=first.pk).owner_id == org.east_rep.pk
    with pytest.raises(OverLimit):
        pool_assign(actor=org.manager, assignee=org.east_rep, customer=second)
    with pytest.raises(ValidationError):
        pool_assign(actor=org.manager, assignee=org.service_agent, customer=second)
    with pytest.raises(PermissionDenied):
        pool_assign(actor=org.east_rep, assignee=org.east_rep2, customer=second)


def test_claim_needs_exactly_one_record(org: Any) -> None:
    with pytest.raises(ValidationError):
        pool_claim(actor=org.east_rep)
    with pytest.raises(ValidationError):
        pool_claim(
            actor=org.east_rep,
            customer=make_pool_customer(team=org.east),
            lead=make_pool_lead(team=org.east),
        )


def test_converted_or_deleted_records_cannot_be_claimed(org: Any) -> None:
    lead = make_pool_lead(team=org.east)
    Lead.objects.filter(pk=lead.pk).update(status="converted")
    with pytest.raises(NotFound):
        pool_claim(actor=org.east_rep, lead=lead)
    customer = make_pool_customer(team=org.east)
    Customer.objects.filter(pk=customer.pk).update(deleted_at="2026-01-01T00:00:00Z")
    with pytest.raises(NotFound):
        pool_claim(actor=org.east_rep, customer=customer)
