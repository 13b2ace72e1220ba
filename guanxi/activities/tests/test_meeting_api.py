"""Meetings over the API: round trip with If-Match, minutes, follow-up tasks, bad input
as problem+json (nothing written), scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from guanxi.activities.models import Meeting, Task
from guanxi.activities.tests.factories import make_meeting
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db


def test_meeting_round_trip(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    contact = ContactFactory(customer=customer)
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/meetings",
        {
            "title": "年度框架协议谈判",
            "starts_at": "2026-12-02T14:00:00+08:00",
            "ends_at": "2026-12-02T16:00:00+08:00",
            "customer": customer.pk,
            "attendees": [org.east_rep2.pk],
            "contacts": [contact.pk],
            "agenda": ["回顾今年", "明年价格"],
            "online_url": "https://meeting.tencent.com/dm/abc",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["organiser"] == org.east_rep.pk
    assert body["attendees"] == [{"id": org.east_rep2.pk, "name": "李四"}]
    assert body["contacts"][0]["id"] == contact.pk
    assert body["status"] == "planned"
    meeting_id, etag = body["id"], created["ETag"]

    listed = api.get(f"/api/v1/meetings?customer={customer.pk}").json()
    assert [item["id"] for item in listed["items"]] == [meeting_id]
    patched = api.patch(
        f"/api/v1/meetings/{meeting_id}", {"location": "上海"}, **{"If-Match": etag}
    )
    assert patched.status_code == 200, patched.content
    assert_problem(
        api.patch(f"/api/v1/meetings/{meeting_id}", {"location": "x"}, **{"If-Match": etag}), 409
    )
    minutes = api.post(f"/api/v1/meetings/{meeting_id}/minutes", {"minutes": "价格不变"})
    assert minutes.status_code == 200 and minutes.json()["status"] == "held"
    tasks = api.post(
        f"/api/v1/meetings/{meeting_id}/follow-up-tasks",
        {"tasks": [{"title": "起草协议", "due_in_working_days": 2}]},
    )
    assert tasks.status_code == 201, tasks.content
    assert tasks.json()[0]["meeting"] == meeting_id
    assert api.get(f"/api/v1/meetings/{meeting_id}").json()["follow_up_tasks"] == [
        tasks.json()[0]["id"]
    ]
    cancelled = api.post(f"/api/v1/meetings/{meeting_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.delete(f"/api/v1/meetings/{meeting_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/meetings/{meeting_id}"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "starts_at": "2026-12-02T14:00:00"}, "title"),
        ({"title": "x", "starts_at": "soon"}, "starts_at"),
        ({"title": "x"}, "starts_at"),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "ends_at": "2026-12-01T14:00"}, "ends_at"),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "attendees": [0]}, "attendees"),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "attendees": [424242]}, "attendees"),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "customer": 2**64}, "customer"),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "agenda": [""]}, "agenda"),
        (
            {"title": "x", "starts_at": "2026-12-02T14:00", "online_url": "javascript:1"},
            "online_url",
        ),
        ({"title": "x", "starts_at": "2026-12-02T14:00", "secret": 1}, "secret"),
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(
    org: Any, api_as: Any, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(api_as(org.east_rep).post("/api/v1/meetings", body), 422)
    assert any(field in key for key in problem["errors"]), problem["errors"]
    assert Meeting.objects.count() == 0


def test_follow_up_rows_bad_input(org: Any, api_as: Any) -> None:
    meeting = make_meeting(actor=org.east_rep)
    api = api_as(org.east_rep)
    url = f"/api/v1/meetings/{meeting.pk}/follow-up-tasks"
    assert_problem(api.post(url, {"tasks": []}), 422)
    problem = assert_problem(
        api.post(url, {"tasks": [{"title": "好"}, {"title": "也好", "due_on": "2026-12-01"}]}), 422
    )
    assert "rows.0.due_on" in problem["errors"]
    assert Task.objects.count() == 0


def test_other_peoples_meetings_are_404(org: Any, api_as: Any) -> None:
    meeting = make_meeting(actor=org.west_rep)
    api = api_as(org.east_rep)
    assert_problem(api.get(f"/api/v1/meetings/{meeting.pk}"), 404)
    assert_problem(api.patch(f"/api/v1/meetings/{meeting.pk}", {"title": "x"}), 404)
    assert_problem(api.post(f"/api/v1/meetings/{meeting.pk}/minutes", {"minutes": "x"}), 404)
    assert api.get("/api/v1/meetings").json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"remind_minutes_before": -5}, "remind_minutes_before"),
        ({"remind_minutes_before": 50000}, "remind_minutes_before"),
        ({"lead": 999999}, "lead"),
        ({"opportunity": 999999}, "opportunity"),
        ({"contract": 0}, "contract"),
    ],
)
def test_task_reminder_and_record_links_bad_input(
    org: Any, api_as: Any, body: dict[str, Any], field: str
) -> None:
    payload = {"title": "打电话", "due_on": "2026-12-01", **body}
    problem = assert_problem(api_as(org.east_rep).post("/api/v1/tasks", payload), 422)
    assert any(field in key for key in problem["errors"]), problem["errors"]
    assert Task.objects.count() == 0


def test_task_reminder_over_the_api(org: Any, api_as: Any) -> None:
    created = api_as(org.east_rep).post(
        "/api/v1/tasks",
        {"title": "提醒", "due_on": "2026-12-01", "due_time": "10:00", "remind_minutes_before": 60},
    )
    assert created.status_code == 201, created.content
    remind_at = dt.datetime.fromisoformat(created.json()["remind_at"])
    assert remind_at == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
