"""Tasks over the API: CRUD, If-Match, done, filters, keyset pages, problem+json, scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.activities.services import working_days_after
from guanxi.activities.tests.factories import days_from_today, make_task
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def test_task_round_trip(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/tasks",
        {"title": "寄样品", "customer": customer.pk, "due_in_working_days": 3, "priority": "high"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["due_on"] == working_days_after(timezone.localdate(), 3).isoformat()
    assert body["assignee"] == org.east_rep.pk
    assert body["customer_name"] == customer.name
    task_id, etag = body["id"], created["ETag"]

    got = api.get(f"/api/v1/tasks/{task_id}")
    assert got.status_code == 200 and got["ETag"] == etag
    patched = api.patch(f"/api/v1/tasks/{task_id}", {"title": "寄样品和报价"}, **{"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert_problem(api.patch(f"/api/v1/tasks/{task_id}", {"title": "x"}, **{"If-Match": etag}), 409)

    done = api.post(f"/api/v1/tasks/{task_id}/done", {"done": True})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["done_at"]
    assert api.post(f"/api/v1/tasks/{task_id}/done", {"done": False}).json()["status"] == "open"

    assert api.delete(f"/api/v1/tasks/{task_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/tasks/{task_id}"), 404)
    restored = api.post(f"/api/v1/tasks/{task_id}/restore")
    assert restored.status_code == 200, restored.content

    assert_problem(api_as(org.west_rep).get(f"/api/v1/tasks/{task_id}"), 404)
    assert_problem(api_as(org.west_rep).delete(f"/api/v1/tasks/{task_id}"), 404)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": ""}, 422, None),
        ({"title": "x", "due_on": "0001-01-01"}, 422, None),
        ({"title": "x", "due_on": "2026-13-01"}, 422, None),
        ({"title": "x", "due_on": "2026-05-01", "assignee": 999999}, 422, "assignee"),
        ({"title": "x", "due_on": "2026-05-01", "customer": 999999}, 422, "customer"),
        ({"title": "x"}, 422, "due_on"),
        ({"title": "x", "due_on": "2026-05-01", "colour": "red"}, 422, None),
    ],
)
def test_bad_input_is_problem_json_and_writes_nothing(
    org: Any, api_as: Any, body: dict[str, Any], status: int, field: str | None
) -> None:
    problem = assert_problem(api_as(org.east_rep).post("/api/v1/tasks", body), status)
    if field:
        assert field in problem["errors"]
    assert Task.objects.count() == 0


def test_filters_and_keyset_pages(org: Any, api_as: Any) -> None:
    overdue = make_task(actor=org.east_rep, due_on=days_from_today(-3), priority="urgent")
    for offset in range(5):
        make_task(actor=org.east_rep, due_on=days_from_today(offset + 10))
    api = api_as(org.east_rep)
    listed = api.get("/api/v1/tasks?due=overdue").json()["items"]
    assert [item["id"] for item in listed] == [overdue.pk]
    assert [i["id"] for i in api.get("/api/v1/tasks?priority=urgent").json()["items"]] == [
        overdue.pk
    ]
    seen: list[int] = []
    url = "/api/v1/tasks?limit=2"
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["items"]]
        url = f"/api/v1/tasks?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else ""
    assert len(seen) == 6 and seen[0] == overdue.pk
    assert api_as(org.west_rep).get("/api/v1/tasks").json()["items"] == []
    assert_problem(api.get("/api/v1/tasks?due=someday"), 422)


def test_list_query_count_does_not_grow(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.manager)

    def count_queries() -> int:
        api.get("/api/v1/tasks")
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/tasks?limit=50")
        assert response.status_code == 200
        return len(queries)

    make_task(actor=org.east_rep, customer=customer.pk)
    few = count_queries()
    for _ in range(10):
        make_task(actor=org.east_rep, customer=customer.pk)
    assert count_queries() == few
