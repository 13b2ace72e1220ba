"""Opportunities over the API: CRUD, ETag/If-Match, stage moves, win/lose, bad input,
keyset pages, scope, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.deals.models import Opportunity, StageKind
from guanxi.deals.tests.factories import days_from_today, make_opportunity, stages_of
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def test_round_trip_with_etags(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    stages = stages_of()
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/opportunities",
        {
            "title": "ERP 升级",
            "customer": customer.pk,
            "amount": "88000.50",
            "expected_close_on": days_from_today(20).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["stage"] == stages[0].pk and body["probability"] == 10
    assert body["owner"] == org.east_rep.pk and body["status"] == "open"
    assert body["amount"] == "88000.50" and body["weighted_amount"] == "8800.05"
    opportunity_id, etag = body["id"], created["ETag"]
    assert etag == 'W/"1"'

    got = api.get(f"/api/v1/opportunities/{opportunity_id}")
    assert got.status_code == 200 and got["ETag"] == etag
    patched = api.patch(
        f"/api/v1/opportunities/{opportunity_id}",
        {"next_step": "安排演示", "competitors": "用友, 金蝶"},
        **{"If-Match": etag},
    )
    assert patched.status_code == 200, patched.content
    assert patched["ETag"] == 'W/"2"'
    stale = api.patch(
        f"/api/v1/opportunities/{opportunity_id}", {"title": "x"}, **{"If-Match": etag}
    )
    assert_problem(stale, 409)

    moved = api.post(
        f"/api/v1/opportunities/{opportunity_id}/stage", {"stage": stages[2].pk, "version": 2}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage_name"] == stages[2].name
    stale_move = api.post(
        f"/api/v1/opportunities/{opportunity_id}/stage", {"stage": stages[1].pk, "version": 2}
    )
    assert_problem(stale_move, 409)
    lost_without_reason = api.post(
        f"/api/v1/opportunities/{opportunity_id}/stage",
        {"stage": next(s for s in stages if s.kind == StageKind.LOST).pk, "version": 3},
    )
    assert_problem(lost_without_reason, 422)
    assert "lost_reason" in lost_without_reason.json()["errors"]
    won = api.post(f"/api/v1/opportunities/{opportunity_id}/win", {}, **{"If-Match": 'W/"3"'})
    assert won.status_code == 200, won.content
    assert won.json()["status"] == "won" and won.json()["won_at"]
    assert_problem(api.post(f"/api/v1/opportunities/{opportunity_id}/lose", {"reason": "x"}), 422)
    reopened = api.post(f"/api/v1/opportunities/{opportunity_id}/reopen", {"version": 4})
    assert reopened.status_code == 200 and reopened.json()["stage"] == stages[2].pk
    lost = api.post(
        f"/api/v1/opportunities/{opportunity_id}/lose", {"reason": "预算冻结", "version": 5}
    )
    assert lost.status_code == 200 and lost.json()["lost_reason"] == "预算冻结"

    assert api.delete(f"/api/v1/opportunities/{opportunity_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/opportunities/{opportunity_id}"), 404)
    assert api.post(f"/api/v1/opportunities/{opportunity_id}/restore").status_code == 200

    west = api_as(org.west_rep)
    assert_problem(west.get(f"/api/v1/opportunities/{opportunity_id}"), 404)
    assert_problem(west.patch(f"/api/v1/opportunities/{opportunity_id}", {"title": "x"}), 404)
    assert_problem(west.delete(f"/api/v1/opportunities/{opportunity_id}"), 404)


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"amount": "-1"}, 422, "amount"),
        ({"amount": "abc"}, 422, None),
        ({"amount": "1e40"}, 422, None),
        ({"expected_close_on": "2020-01-01"}, 422, "expected_close_on"),
        ({"expected_close_on": "2026-02-30"}, 422, None),
        ({"expected_close_on": "0001-01-01"}, 422, None),
        ({"title": ""}, 422, None),
        ({"title": "x" * 201}, 422, None),
        ({"customer": 999999}, 422, "customer"),
        ({"customer": 2**70}, 422, None),
        ({"owner": 999999}, 422, "owner"),
        ({"stage": 999999}, 422, "stage"),
        ({"pipeline": 999999}, 422, "pipeline"),
        ({"currency": "元元元"}, 422, "currency"),
        ({"colour": "red"}, 422, None),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(
    org: Any, api_as: Any, changes: dict[str, Any], status: int, field: str | None
) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    body = {
        "title": "项目",
        "customer": customer.pk,
        "amount": "100",
        "expected_close_on": days_from_today(3).isoformat(),
        **changes,
    }
    response = api_as(org.east_rep).post("/api/v1/opportunities", body)
    assert_problem(response, status)
    if field:
        assert field in response.json()["errors"], response.json()
    assert Opportunity.objects.count() == 0


def test_stage_from_another_pipeline_and_bad_if_match(org: Any, api_as: Any) -> None:
    from guanxi.deals.services import pipeline_create

    other = pipeline_create(actor=org.manager, name="项目型")
    opportunity = make_opportunity(actor=org.east_rep)
    api = api_as(org.east_rep)
    foreign = api.post(
        f"/api/v1/opportunities/{opportunity.pk}/stage",
        {"stage": other.stages.first().pk, "version": 1},
    )
    assert_problem(foreign, 422)
    assert "stage" in foreign.json()["errors"]
    bad_etag = api.patch(
        f"/api/v1/opportunities/{opportunity.pk}", {"title": "y"}, **{"If-Match": "garbage"}
    )
    assert_problem(bad_etag, 422)
    assert_problem(
        api_as(org.service_agent).post(
            f"/api/v1/opportunities/{opportunity.pk}/stage", {"stage": 1}
        ),
        404,
    )


def test_list_filters_keyset_and_query_count(org: Any, api_as: Any) -> None:
    for index in range(7):
        make_opportunity(actor=org.east_rep, amount=str(1000 * (index + 1)))
    make_opportunity(actor=org.west_rep, title="西区")
    api = api_as(org.east_rep)
    with CaptureQueriesContext(connection) as queries:
        first = api.get("/api/v1/opportunities?limit=3&sort=-amount")
    assert first.status_code == 200
    page = first.json()
    assert [item["amount"] for item in page["items"]] == ["7000.00", "6000.00", "5000.00"]
    assert len(queries) <= 6
    rest = api.get(
        f"/api/v1/opportunities?limit=10&sort=-amount&cursor={page['next_cursor']}"
    ).json()
    assert len(rest["items"]) == 4 and rest["next_cursor"] is None
    assert all(item["title"] != "西区" for item in page["items"] + rest["items"])
    manager = api_as(org.manager).get(f"/api/v1/opportunities?owner={org.west_rep.pk}")
    assert [item["title"] for item in manager.json()["items"]] == ["西区"]
    assert_problem(api.get("/api/v1/opportunities?status=maybe"), 422)
    assert api.get("/api/v1/opportunities?cursor=garbage").status_code == 200


def test_pipelines(org: Any, api_as: Any) -> None:
    response = api_as(org.east_rep).get("/api/v1/pipelines")
    assert response.status_code == 200
    pipelines = response.json()
    assert pipelines[0]["is_default"]
    assert [s["name"] for s in pipelines[0]["stages"]][:2] == ["初步接洽", "需求确认"]
    assert {s["kind"] for s in pipelines[0]["stages"]} == {"open", "won", "lost"}
