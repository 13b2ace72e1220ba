"""Leads over the API: CRUD, If-Match, follow-ups, convert, filters, keyset pages,
problem+json on bad input (nothing written), scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.customers.models import Contact, Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.leads import services
from guanxi.leads.models import Lead
from guanxi.leads.tests.factories import make_lead
from guanxi.platform.models import AuditEntry
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def test_lead_round_trip(org: Any, api_as: Any) -> None:
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/leads",
        {
            "name": "陈晓明",
            "company": "杭州云栖科技有限公司",
            "mobile": "138-1234-5678",
            "email": "chen@yunqi.cn",
            "owner": org.east_rep.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mobile"] == "13812345678"  # display form, like customers' phones
    assert body["source"] == "api"
    assert body["owner"] == org.east_rep.pk
    lead_id, etag = body["id"], created["ETag"]

    got = api.get(f"/api/v1/leads/{lead_id}")
    assert got.status_code == 200 and got["ETag"] == etag
    patched = api.patch(f"/api/v1/leads/{lead_id}", {"status": "qualified"}, **{"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert patched.json()["status"] == "qualified"
    assert_problem(api.patch(f"/api/v1/leads/{lead_id}", {"city": "x"}, **{"If-Match": etag}), 409)

    follow = api.post(f"/api/v1/leads/{lead_id}/activities", {"kind": "call", "content": "电话"})
    assert follow.status_code == 201, follow.content
    assert [a["content"] for a in api.get(f"/api/v1/leads/{lead_id}/activities").json()] == ["电话"]

    assert api.delete(f"/api/v1/leads/{lead_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/leads/{lead_id}"), 404)
    restored = api.post(f"/api/v1/leads/{lead_id}/restore")
    assert restored.status_code == 200, restored.content

    other = api_as(org.west_rep)
    assert_problem(other.get(f"/api/v1/leads/{lead_id}"), 404)
    assert_problem(other.delete(f"/api/v1/leads/{lead_id}"), 404)
    assert_problem(other.post(f"/api/v1/leads/{lead_id}/convert", {}), 404)


def test_contact_details_are_masked_without_the_permission(org: Any, api_as: Any) -> None:
    lead = make_lead(actor=org.admin, mobile="13812345678", email="chen@yunqi.cn")
    body = api_as(org.service_agent).get(f"/api/v1/leads/{lead.pk}").json()
    assert body["mobile"] == "138****5678"
    assert body["email"] == "c***@yunqi.cn"
    listed = api_as(org.service_agent).get("/api/v1/leads").json()["items"]
    assert listed[0]["mobile"] == "138****5678"


def test_create_without_owner_uses_the_rules(org: Any, api_as: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin, team=org.east, method="round_robin", members=[org.east_rep2.pk]
    )
    created = api_as(org.east_rep).post("/api/v1/leads", {"name": "官网留资"})
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == org.east_rep2.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, None),
        ({}, None),
        ({"name": "x", "owner": 999999}, "owner"),
        ({"name": "x", "owner": 0}, None),
        ({"name": "x", "owner": "abc"}, None),
        ({"name": "x", "mobile": "12345"}, "mobile"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "company": "公" * 201}, None),
        ({"name": "名" * 101}, None),
        ({"name": "x", "source": "tv"}, None),
        ({"name": "x", "status": "converted"}, None),
        ({"name": "x", "status": "disqualified"}, "disqualify_reason"),
        ({"name": "x", "team": 999999}, "team"),
        ({"name": "x", "colour": "red"}, None),
    ],
)
def test_bad_input_is_problem_json_and_writes_nothing(
    org: Any, api_as: Any, body: dict[str, Any], field: str | None
) -> None:
    problem = assert_problem(api_as(org.east_rep).post("/api/v1/leads", body), 422)
    if field:
        assert field in problem["errors"]
    assert Lead.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="leads.").exists()


def test_rep_cannot_hand_a_lead_to_a_colleague(org: Any, api_as: Any) -> None:
    problem = assert_problem(
        api_as(org.east_rep).post("/api/v1/leads", {"name": "x", "owner": org.east_rep2.pk}), 422
    )
    assert "owner" in problem["errors"]


def test_convert_over_the_api(org: Any, api_as: Any) -> None:
    existing = CustomerFactory(owner=org.east_rep, name="老客户", phones=["+8613812345678"])
    lead = make_lead(actor=org.east_rep, company="云栖", mobile="13812345678")
    api = api_as(org.east_rep)
    duplicates = api.get(f"/api/v1/leads/{lead.pk}/duplicates").json()
    assert [(d["customer"], d["reasons"], d["is_visible"]) for d in duplicates] == [
        (existing.pk, ["same_phone"], True)
    ]
    bad = assert_problem(
        api.post(
            f"/api/v1/leads/{lead.pk}/convert",
            {"create_opportunity": True, "opportunity_title": "", "opportunity_amount": "5"},
        ),
        422,
    )
    assert "opportunity.title" in bad["errors"]
    assert Contact.objects.count() == 0
    assert_problem(api.post(f"/api/v1/leads/{lead.pk}/convert", {"opportunity_amount": "-1"}), 422)
    assert_problem(api.post(f"/api/v1/leads/{lead.pk}/convert", {"version": 99}), 409)
    done = api.post(f"/api/v1/leads/{lead.pk}/convert", {"customer": existing.pk})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["customer"] == existing.pk and not body["is_new_customer"]
    assert body["lead"]["status"] == "converted"
    assert Customer.objects.count() == 1
    assert_problem(api.post(f"/api/v1/leads/{lead.pk}/convert", {}), 422)
    assert_problem(api.patch(f"/api/v1/leads/{lead.pk}", {"city": "杭州"}), 422)


def test_convert_with_opportunity_over_the_api(org: Any, api_as: Any) -> None:
    pytest.importorskip("guanxi.deals.services")
    lead = make_lead(actor=org.east_rep, company="新客户公司")
    close_on = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    done = api_as(org.east_rep).post(
        f"/api/v1/leads/{lead.pk}/convert",
        {
            "create_opportunity": True,
            "opportunity_title": "首单",
            "opportunity_amount": "8800.00",
            "opportunity_close_on": close_on,
        },
    )
    assert done.status_code == 200, done.content
    assert done.json()["opportunity"] is not None
    assert done.json()["is_new_customer"]


def test_filters_and_keyset_pages(org: Any, api_as: Any) -> None:
    show = make_lead(actor=org.east_rep, name="展会线索", source="exhibition")
    for index in range(5):
        make_lead(actor=org.east_rep, name=f"线索{index}")
    pool = services.lead_create(actor=org.east_rep2, name="公海线索")
    api = api_as(org.east_rep)
    by_source = api.get("/api/v1/leads?source=exhibition").json()["items"]
    assert [item["id"] for item in by_source] == [show.pk]
    assert [i["id"] for i in api.get("/api/v1/leads?is_pool=true").json()["items"]] == [pool.pk]
    assert [i["id"] for i in api.get("/api/v1/leads?q=展会").json()["items"]] == [show.pk]
    seen: list[int] = []
    url = "/api/v1/leads?limit=2"
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = f"/api/v1/leads?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert len(seen) == 7 and len(set(seen)) == 7
    assert api_as(org.west_rep).get("/api/v1/leads").json()["items"] == []
    assert_problem(api.get("/api/v1/leads?status=maybe"), 422)


def test_list_query_count_does_not_grow(org: Any, api_as: Any) -> None:
    api = api_as(org.manager)

    def count_queries() -> int:
        api.get("/api/v1/leads")
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/leads?limit=50")
        assert response.status_code == 200
        return len(queries)

    make_lead(actor=org.east_rep)
    few = count_queries()
    for index in range(10):
        make_lead(actor=org.east_rep, name=f"线索{index}")
    assert count_queries() == few
