"""Contracts over the API: CRUD, If-Match, steps, plan, payments, receivables, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from guanxi.contracts.models import Contract, Payment
from guanxi.contracts.tests.factories import make_contract, make_signed_contract
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def _body(customer: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "title": "年度维保合同",
        "customer": customer.pk,
        "amount": "12000.00",
        "start_on": "2026-01-01",
        "end_on": "2026-12-31",
        **(extra or {}),
    }


def test_contract_round_trip_and_life_cycle(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)
    created = api.post("/api/v1/contracts", _body(customer))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["owner"] == org.east_rep.pk
    assert body["outstanding"] == "12000.00"
    contract_id, etag = body["id"], created["ETag"]
    patched = api.patch(
        f"/api/v1/contracts/{contract_id}", {"title": "新标题"}, **{"If-Match": etag}
    )
    assert patched.status_code == 200, patched.content
    assert_problem(
        api.patch(f"/api/v1/contracts/{contract_id}", {"title": "x"}, **{"If-Match": etag}), 409
    )
    assert api.post(f"/api/v1/contracts/{contract_id}/submit", {}).status_code == 200
    assert_problem(api.post(f"/api/v1/contracts/{contract_id}/approve", {}), 403)
    manager = api_as(org.manager)
    assert_problem(manager.post(f"/api/v1/contracts/{contract_id}/reject", {}), 422)
    approved = manager.post(f"/api/v1/contracts/{contract_id}/approve", {"comment": "同意"})
    assert approved.json()["is_approved"] is True
    signed = api.post(f"/api/v1/contracts/{contract_id}/sign", {"signed_on": "2026-01-02"})
    assert signed.json()["status"] == "signed", signed.content
    assert_problem(api.post(f"/api/v1/contracts/{contract_id}/sign", {}), 409)

    plan = api._call(
        "put",
        f"/api/v1/contracts/{contract_id}/plan",
        {
            "instalments": [
                {"due_on": "2026-02-01", "amount": "6000"},
                {"due_on": "2026-08-01", "amount": "6000"},
            ]
        },
    )
    assert plan.status_code == 200, plan.content
    paid = api.post(
        f"/api/v1/contracts/{contract_id}/payments",
        {"received_on": "2026-02-01", "amount": "7000", "method": "alipay"},
    )
    assert paid.status_code == 201, paid.content
    instalments = api.get(f"/api/v1/contracts/{contract_id}/plan").json()
    assert [item["received"] for item in instalments] == ["6000.00", "1000.00"]
    problem = assert_problem(
        api.post(
            f"/api/v1/contracts/{contract_id}/payments",
            {"received_on": "2026-02-02", "amount": "5000.01"},
        ),
        422,
    )
    assert "amount" in problem["errors"]
    assert Payment.objects.count() == 1
    assert api.get(f"/api/v1/contracts/{contract_id}").json()["outstanding"] == "5000.00"
    terminated = api.post(f"/api/v1/contracts/{contract_id}/terminate", {"reason": "客户破产"})
    assert terminated.json()["status"] == "terminated"

    assert_problem(api_as(org.west_rep).get(f"/api/v1/contracts/{contract_id}"), 404)
    assert_problem(api_as(org.west_rep).get(f"/api/v1/contracts/{contract_id}/payments"), 404)
    assert api.delete(f"/api/v1/contracts/{contract_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/contracts/{contract_id}"), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, None),
        ({"end_on": "2025-01-01"}, "end_on"),
        ({"start_on": "2026-13-01"}, None),
        ({"customer": 999999}, "customer"),
        ({"owner": 999999}, "owner"),
        ({"currency": "RMB1"}, None),
        ({"colour": "red"}, None),
        ({"title": ""}, None),
        ({"remind_days_before_end": 400}, None),
    ],
)
def test_bad_input_is_problem_json_and_writes_nothing(
    org: Any, api_as: Any, change: dict[str, Any], field: str | None
) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    problem = assert_problem(
        api_as(org.east_rep).post("/api/v1/contracts", _body(customer, change)), 422
    )
    if field:
        assert field in problem["errors"], problem
    assert Contract.objects.count() == 0


def test_payment_bad_input(org: Any, api_as: Any) -> None:
    contract = make_signed_contract(owner=org.east_rep)
    api = api_as(org.east_rep)
    url = f"/api/v1/contracts/{contract.pk}/payments"
    for body in (
        {"received_on": "2026-02-01", "amount": "0"},
        {"received_on": "2026-02-01", "amount": "10", "method": "bitcoin"},
        {"received_on": "2026-02-01", "amount": "10", "instalment": 999999},
        {"received_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(), "amount": "10"},
        {"amount": "10"},
    ):
        assert_problem(api.post(url, body), 422)
    assert_problem(
        api_as(org.service_agent).post(url, {"received_on": "2026-02-01", "amount": "1"}), 403
    )
    assert_problem(
        api_as(org.west_rep).post(url, {"received_on": "2026-02-01", "amount": "1"}), 404
    )
    assert not Payment.objects.exists()
    plan = api._call(
        "put",
        f"/api/v1/contracts/{contract.pk}/plan",
        {"instalments": [{"due_on": "2026-02-01", "amount": "20000"}]},
    )
    assert "instalments" in assert_problem(plan, 422)["errors"]


def test_list_filters_pages_and_receivables(org: Any, api_as: Any) -> None:
    for _index in range(3):
        make_contract(owner=org.east_rep)
    signed = make_signed_contract(owner=org.east_rep, end_on=dt.date(2026, 1, 31))
    make_contract(owner=org.west_rep)
    api = api_as(org.east_rep)
    seen: list[int] = []
    url = "/api/v1/contracts?limit=2"
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = (
            f"/api/v1/contracts?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
        )
    assert len(seen) == 4
    assert [i["id"] for i in api.get("/api/v1/contracts?status=signed").json()["items"]] == [
        signed.pk
    ]
    assert_problem(api.get("/api/v1/contracts?status=lost"), 422)
    report = api.get("/api/v1/receivables").json()
    assert report["totals"]["total"] in ("10000.00", "10000")
    assert [row["id"] for row in report["by_owner"]] == [org.east_rep.pk]
    assert api_as(org.west_rep).get("/api/v1/receivables").json()["by_owner"] == []
