"""A rep's top lists (highest CLV, churn warnings) read the owner stored with the
score, on the owner indexes, and still only show customers the rep owns now."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from guanxi.analytics.dashboards.selectors import churn_risks, top_customers
from guanxi.analytics.dashboards.selectors.scope import DashboardScope
from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.models import CustomerScore
from guanxi.analytics.scoring import scores_compute
from guanxi.customers.services import customer_transfer

from .conftest import TODAY, build_shop

pytestmark = pytest.mark.django_db


def mine(actor: Any) -> DashboardScope:
    return DashboardScope(actor=actor, view="mine")


def test_scoring_stores_the_customers_owner(org) -> None:
    shop = build_shop(org)
    CustomerScore.objects.all().delete()
    scores_compute(today=TODAY)
    owners = dict(CustomerScore.objects.values_list("customer_id", "scope_owner_id"))
    assert owners == {customer.pk: customer.owner_id for customer in shop.customers.values()}


def test_rep_top_lists_hold_own_customers_in_value_order(org) -> None:
    shop = build_shop(org)
    top = top_customers(scope=mine(org.east_rep))
    assert [score.customer_id for score in top] == [
        shop.customers["c1"].pk,  # CLV 3,000
        shop.customers["c2"].pk,  # 800
        shop.customers["c4"].pk,  # 50
    ]
    assert [score.customer_id for score in churn_risks(scope=mine(org.east_rep))] == [
        shop.customers["c4"].pk
    ]
    assert [score.customer_id for score in top_customers(scope=mine(org.west_rep))] == [
        shop.customers["c6"].pk
    ]
    assert churn_risks(scope=mine(org.west_rep)) == []


def test_a_transferred_customer_leaves_the_old_owners_list_at_once(org) -> None:
    shop = build_shop(org)
    c1 = shop.customers["c1"]
    customer_transfer(actor=org.admin, customer=c1, new_owner=org.west_rep)
    assert c1.pk not in [score.customer_id for score in top_customers(scope=mine(org.east_rep))]
    # The new owner sees it once it is rescored (the hourly run picks up the change).
    assert c1.pk not in [score.customer_id for score in top_customers(scope=mine(org.west_rep))]
    scores_compute(today=TODAY, incremental=True)  # what the hourly job does
    dashboard_tables_refresh(today=TODAY, incremental=True)
    assert CustomerScore.objects.get(customer=c1).scope_owner_id == org.west_rep.pk
    west_top = [score.customer_id for score in top_customers(scope=mine(org.west_rep))]
    assert c1.pk in west_top


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")
@pytest.mark.parametrize("board", [top_customers, churn_risks])
def test_rep_top_lists_walk_the_owner_index_without_sorting(org, board) -> None:
    """The query's WHERE and ORDER BY match an owner index: PostgreSQL can read the
    first ten rows from it instead of sorting the rep's thousands of customers."""
    build_shop(org)
    scope = mine(org.east_rep)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        captured: list[str] = []

        def explain(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if "analytics_customerscore" in sql and not sql.startswith("EXPLAIN") and not captured:
                cursor.execute(f"EXPLAIN {sql}", params)
                captured.append("\n".join(row[0] for row in cursor.fetchall()))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(explain):
            board(scope=scope)
    plan = captured[0]
    assert "score_owner_" in plan, plan
    assert "Sort" not in plan, plan
