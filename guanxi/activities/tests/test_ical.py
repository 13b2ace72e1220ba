"""The iCal feed: subscribe page, token hashing and revocation, feed content parsed back
with icalendar, caching headers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from guanxi.activities import services
from guanxi.activities.models import CalendarFeedToken
from guanxi.activities.tests.factories import at, days_from_today, make_meeting, make_task
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _feed_path(token: str) -> str:
    return reverse("activities:calendar_feed", args=[token])


def _events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_subscribe_page_shows_the_url_once_and_stores_only_a_hash(org: Any) -> None:
    client = _client(org.east_rep)
    url = reverse("activities:calendar_subscribe")
    assert 'data-testid="feed-none"' in client.get(url).content.decode()
    html = client.post(url, {"action": "regenerate"}).content.decode()
    match = re.search(r'value="(http://testserver/activities/calendar/feed/([^"]+)\.ics)"', html)
    assert match is not None
    token = match.group(2)
    stored = CalendarFeedToken.objects.get(user=org.east_rep)
    assert stored.token_hash == services.token_hash(token) and token not in stored.token_hash
    again = client.get(url).content.decode()
    assert token not in again and 'data-testid="feed-live"' in again
    assert Client().get(_feed_path(token)).status_code == 200


def test_feed_has_tasks_and_meetings_with_shanghai_times(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="苏州绣坊")
    contact = ContactFactory(customer=customer, name="沈经理", emails=["shen@xiu.cn"])
    timed = make_task(
        actor=org.east_rep, title="回电话", due_on=days_from_today(2), due_time="15:30"
    )
    untimed = make_task(actor=org.east_rep, title="寄合同", due_on=days_from_today(3))
    make_task(actor=org.east_rep, title="别人的任务", assignee=org.east_rep2)
    meeting = make_meeting(
        actor=org.manager,
        title="样品评审",
        starts_at=at(days_from_today(4), 10),
        location="苏州工业园区",
        customer=customer.pk,
        attendees=[org.east_rep.pk],
        contacts=[contact.pk],
        agenda=["看样品", "定价格"],
    )
    token = services.calendar_feed_token_regenerate(actor=org.east_rep)
    response = Client().get(_feed_path(token))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["ETag"] and response["Last-Modified"]
    body = response.content
    assert b"BEGIN:VTIMEZONE" in body and b"TZID:Asia/Shanghai" in body
    events = _events(body)
    assert set(events) == {
        f"task-{timed.pk}@testserver",
        f"task-{untimed.pk}@testserver",
        f"meeting-{meeting.pk}@testserver",
    }
    timed_event = events[f"task-{timed.pk}@testserver"]
    start = timed_event.decoded("DTSTART")
    assert start == dt.datetime.combine(days_from_today(2), dt.time(15, 30), tzinfo=SHANGHAI)
    assert str(start.tzinfo) == "Asia/Shanghai"
    all_day = events[f"task-{untimed.pk}@testserver"]
    assert all_day.decoded("DTSTART") == days_from_today(3)
    assert not isinstance(all_day.decoded("DTSTART"), dt.datetime)
    assert all_day.decoded("DTEND") == days_from_today(4)
    meeting_event = events[f"meeting-{meeting.pk}@testserver"]
    assert str(meeting_event["SUMMARY"]) == "样品评审"
    assert str(meeting_event["LOCATION"]) == "苏州工业园区"
    assert str(meeting_event["URL"]).endswith(f"/activities/meetings/{meeting.pk}/")
    attendees = meeting_event["ATTENDEE"]
    names = {str(a.params["CN"]) for a in attendees}
    assert names == {"张三", "沈经理"}
    assert "mailto:shen@xiu.cn" in {str(a) for a in attendees}
    assert str(meeting_event["ORGANIZER"].params["CN"]) == "王经理"
    assert "看样品" in str(meeting_event["DESCRIPTION"])


def test_same_data_same_etag_then_304_and_a_change_changes_it(org: Any) -> None:
    task = make_task(actor=org.east_rep, due_on=days_from_today(1))
    token = services.calendar_feed_token_regenerate(actor=org.east_rep)
    client = Client()
    first = client.get(_feed_path(token))
    second = client.get(_feed_path(token))
    assert first.content == second.content and first["ETag"] == second["ETag"]
    not_modified = client.get(_feed_path(token), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    services.task_update(actor=org.east_rep, task=task, expected_version=None, title="改了")
    changed = client.get(_feed_path(token), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_bad_regenerated_and_revoked_tokens_get_404(org: Any) -> None:
    client = Client()
    assert client.get(_feed_path("nonsense")).status_code == 404
    assert client.get(_feed_path("x" * 300)).status_code == 404
    old = services.calendar_feed_token_regenerate(actor=org.east_rep)
    new = services.calendar_feed_token_regenerate(actor=org.east_rep)
    assert client.get(_feed_path(old)).status_code == 404
    assert client.get(_feed_path(new)).status_code == 200
    assert CalendarFeedToken.objects.filter(user=org.east_rep).count() == 2
    _client(org.east_rep).post(reverse("activities:calendar_subscribe"), {"action": "revoke"})
    assert client.get(_feed_path(new)).status_code == 404
    third = services.calendar_feed_token_regenerate(actor=org.east_rep)
    org.east_rep.is_active = False
    org.east_rep.save(update_fields=["is_active"])
    assert client.get(_feed_path(third)).status_code == 404


def test_feed_is_read_with_the_owners_scope(org: Any) -> None:
    """A meeting of someone else's, not attended, never enters my feed."""
    make_meeting(actor=org.west_rep, title="西区内部会")
    token = services.calendar_feed_token_regenerate(actor=org.east_rep)
    body = Client().get(_feed_path(token)).content
    assert "西区内部会".encode() not in body
