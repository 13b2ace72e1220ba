"""Pool API: lists, claim (409 when taken / over the limit), release, assign, bad input."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.models import Customer
from guanxi.platform.testing.api_client import assert_problem
from guanxi.pool.tests.factories import (
    make_held_customer,
    make_pool_customer,
    make_pool_lead,
    make_rule,
)

pytestmark = pytest.mark.django_db


def test_lists_show_only_the_callers_pool(org: Any, api_as: Any) -> None:
    east = make_pool_customer(team=org.east, name="东区公海客户")
    make_pool_customer(team=org.west, name="西区公海客户")
    make_held_customer(owner=org.east_rep2, days_ago=1)
    lead = make_pool_lead(team=org.east)
    client = api_as(org.east_rep)
    body = client.get("/api/v1/pool/customers").json()
    assert [item["id"] for item in body["items"]] == [east.pk]
    assert body["items"][0]["team_name"] == "华东组"
    leads = client.get("/api/v1/pool/leads").json()
    assert [item["id"] for item in leads["items"]] == [lead.pk]
    assert len(api_as(org.admin).get("/api/v1/pool/customers").json()["items"]) == 2


def test_list_pages_and_filters(org: Any, api_as: Any) -> None:
    for index in range(3):
        make_pool_customer(team=org.east, province="浙江" if index else "江苏")
    client = api_as(org.east_rep)
    first = client.get("/api/v1/pool/customers?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"/api/v1/pool/customers?limit=2&cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 1
    assert len(client.get("/api/v1/pool/customers?province=浙江").json()["items"]) == 2
    assert len(client.get("/api/v1/pool/customers?min_days_in_pool=5").json()["items"]) == 0


def test_claim_then_conflict_for_the_second_rep(org: Any, api_as: Any) -> None:
    customer = make_pool_customer(team=org.east)
    response = api_as(org.east_rep).post("/api/v1/pool/claim", {"customer": customer.pk})
    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "claimed"
    body = assert_problem(
        api_as(org.east_rep2).post("/api/v1/pool/claim", {"customer": customer.pk}), 409
    )
    assert "张三" in body["detail"]
    assert body["type"].endswith("already_claimed")


def test_claim_over_the_limit_is_409(org: Any, api_as: Any) -> None:
    make_rule(team=org.east, max_customers=0)
    customer = make_pool_customer(team=org.east)
    body = assert_problem(
        api_as(org.east_rep).post("/api/v1/pool/claim", {"customer": customer.pk}), 409
    )
    assert body["type"].endswith("over_limit")
    assert Customer.objects.get(pk=customer.pk).owner_id is None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"customer": 1, "lead": 1},
        {"customer": "abc"},
        {"customer": -1},
        {"customer": 2**70},
        {"customer": 1, "extra": True},
    ],
)
def test_claim_bad_input_is_422(org: Any, api_as: Any, payload: dict[str, Any]) -> None:
    assert_problem(api_as(org.east_rep).post("/api/v1/pool/claim", payload), 422)


def test_claim_unknown_or_hidden_record_is_404(org: Any, api_as: Any) -> None:
    west = make_pool_customer(team=org.west)
    assert_problem(api_as(org.east_rep).post("/api/v1/pool/claim", {"customer": west.pk}), 404)
    assert_problem(api_as(org.east_rep).post("/api/v1/pool/claim", {"customer": 999999}), 404)


def test_release_needs_a_reason(org: Any, api_as: Any) -> None:
    customer = make_held_customer(owner=org.east_rep, days_ago=2)
    client = api_as(org.east_rep)
    assert_problem(client.post("/api/v1/pool/release", {"customer": customer.pk}), 422)
    assert_problem(
        client.post("/api/v1/pool/release", {"customer": customer.pk, "reason": ""}), 422
    )
    assert_problem(
        client.post("/api/v1/pool/release", {"customer": customer.pk, "reason": "   "}), 422
    )
    response = client.post("/api/v1/pool/release", {"customer": customer.pk, "reason": "无需求"})
    assert response.status_code == 200 and response.json()["reason"] == "无需求"
    assert_problem(
        client.post("/api/v1/pool/release", {"customer": customer.pk, "reason": "again"}), 409
    )


def test_assign_needs_the_permission(org: Any, api_as: Any) -> None:
    customer = make_pool_customer(team=org.east)
    payload = {"customer": customer.pk, "assignee": org.east_rep.pk}
    assert_problem(api_as(org.east_rep2).post("/api/v1/pool/assign", payload), 403)
    response = api_as(org.manager).post("/api/v1/pool/assign", payload)
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=customer.pk).owner_id == org.east_rep.pk


def test_anonymous_is_401(org: Any, api_as: Any) -> None:
    assert api_as(None).get("/api/v1/pool/customers").status_code == 401
