"""Who sees which part of the pool (and its history): the leak test."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.platform.exceptions import NotFound
from guanxi.pool.selectors import (
    holding_of,
    pool_customer_get,
    pool_customer_list,
    pool_event_list,
    pool_lead_list,
)
from guanxi.pool.services import pool_claim, pool_release
from guanxi.pool.tests.factories import (
    make_held_customer,
    make_pool_customer,
    make_pool_lead,
    make_rule,
)

pytestmark = pytest.mark.django_db


def _ids(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_each_user_sees_their_pool_team_only(org: Any) -> None:
    east = make_pool_customer(team=org.east)
    west = make_pool_customer(team=org.west)
    service = make_pool_customer(team=org.service_team)
    company = make_pool_customer(team=None)
    owned = make_held_customer(owner=org.east_rep2, days_ago=1)
    assert _ids(pool_customer_list(actor=org.east_rep)) == {east.pk, company.pk}
    assert _ids(pool_customer_list(actor=org.west_rep)) == {west.pk, company.pk}
    assert _ids(pool_customer_list(actor=org.manager)) == {east.pk, west.pk, company.pk}
    assert _ids(pool_customer_list(actor=org.admin)) == {east.pk, west.pk, service.pk, company.pk}
    # No pool permission (the service role), and owned records are never in the pool.
    assert _ids(pool_customer_list(actor=org.service_agent)) == set()
    assert owned.pk not in _ids(pool_customer_list(actor=org.admin))
    with pytest.raises(NotFound):
        pool_customer_get(actor=org.east_rep, customer_id=west.pk)
    with pytest.raises(NotFound):
        pool_customer_get(actor=org.east_rep, customer_id="abc")


def test_a_department_rule_widens_the_pool_to_its_groups(org: Any) -> None:
    make_rule(team=org.sales_dept)
    west = make_pool_customer(team=org.west)
    assert west.pk in _ids(pool_customer_list(actor=org.east_rep))


def test_leads_follow_the_same_rule(org: Any) -> None:
    east = make_pool_lead(team=org.east)
    west = make_pool_lead(team=org.west)
    assert _ids(pool_lead_list(actor=org.east_rep)) == {east.pk}
    assert _ids(pool_lead_list(actor=org.west_rep)) == {west.pk}


def test_history_is_scoped(org: Any) -> None:
    east = make_pool_customer(team=org.east)
    west = make_pool_customer(team=org.west)
    pool_claim(actor=org.east_rep, customer=east)
    pool_claim(actor=org.west_rep, customer=west)
    pool_release(actor=org.west_rep, customer=west, reason="测试")
    east_events = set(pool_event_list(actor=org.east_rep).values_list("customer_id", flat=True))
    assert east_events == {east.pk}
    manager_events = set(pool_event_list(actor=org.manager).values_list("customer_id", flat=True))
    assert manager_events == {east.pk, west.pk}
    assert not pool_event_list(actor=org.service_agent).exists()


def test_holding_counts_and_limits(org: Any) -> None:
    make_rule(team=org.sales_dept, max_customers=5, max_leads=3)
    make_held_customer(owner=org.east_rep, days_ago=1)
    holding = holding_of(org.east_rep)
    assert (holding.customers, holding.max_customers, holding.max_leads) == (1, 5, 3)
    assert not holding.is_customer_limit_reached
