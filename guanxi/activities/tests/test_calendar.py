"""Calendar: entries by day, holiday and make-up day marks, whose calendar may be opened,
and the pages (month, week, phone day list)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from guanxi.activities import selectors, services
from guanxi.activities.tests.factories import at, make_meeting, make_task
from guanxi.customers.services import interaction_create
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import NotFound

pytestmark = pytest.mark.django_db

OCTOBER_1 = dt.date(2026, 10, 1)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _cells(month: selectors.CalendarMonth) -> dict[dt.date, selectors.CalendarDay]:
    return {cell.day: cell for week in month.weeks for cell in week}


def test_month_has_whole_weeks_and_marks_national_day_and_make_up_saturday(org: Any) -> None:
    with translation.override("zh-hans"):
        month = selectors.calendar_month(
            actor=org.east_rep, person=org.east_rep, year=2026, month=10
        )
    cells = _cells(month)
    assert all(len(week) == 7 for week in month.weeks)
    assert month.weeks[0][0].day == dt.date(2026, 9, 28)  # a Monday
    assert month.weeks[-1][-1].day == dt.date(2026, 11, 1)  # a Sunday
    assert not cells[dt.date(2026, 9, 28)].is_in_month
    national = cells[OCTOBER_1]
    assert national.info.is_holiday and national.info.holiday_name == "国庆节" and national.is_off
    saturday = cells[dt.date(2026, 10, 10)]
    assert saturday.info.is_makeup_workday and not saturday.is_off
    assert cells[dt.date(2026, 10, 11)].is_off and not cells[dt.date(2026, 10, 11)].info.is_holiday
    assert (month.previous, month.next) == (dt.date(2026, 9, 1), dt.date(2026, 11, 1))


def test_entries_of_each_kind_land_on_their_days(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="宁波港务")
    make_task(actor=org.east_rep, title="打电话", due_on=dt.date(2026, 10, 9), due_time="15:00")
    make_task(actor=org.east_rep, title="全天任务", due_on=dt.date(2026, 10, 9))
    make_task(
        actor=org.east_rep, title="别人的", due_on=dt.date(2026, 10, 9), assignee=org.east_rep2
    )
    make_meeting(
        actor=org.east_rep,
        title="展会",
        starts_at=at(dt.date(2026, 10, 12), 9),
        ends_at=at(dt.date(2026, 10, 14), 17),
    )
    make_meeting(
        actor=org.east_rep2,
        title="受邀",
        starts_at=at(dt.date(2026, 10, 9), 10),
        attendees=[org.east_rep.pk],
    )
    interaction_create(
        actor=org.east_rep,
        customer=customer,
        kind="call",
        content="约下次拜访",
        occurred_at=at(dt.date(2026, 9, 20), 10),
        next_follow_up_on=dt.date(2026, 10, 9),
    )
    entries = selectors.calendar_entries(
        actor=org.east_rep,
        person=org.east_rep,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
    )
    ninth = entries[dt.date(2026, 10, 9)]
    assert [(e.kind, e.title) for e in ninth] == [
        ("task", "全天任务"),
        ("follow_up", "宁波港务"),
        ("meeting", "受邀"),
        ("task", "打电话"),
    ]
    assert [e.title for e in entries[dt.date(2026, 10, 13)]] == ["展会"]
    assert entries[dt.date(2026, 10, 12)][0].time == dt.time(9, 0)
    assert entries[dt.date(2026, 10, 14)][0].time is None  # continues, no start time
    assert dt.date(2026, 10, 15) not in entries


def test_a_rep_cannot_open_another_reps_calendar(org: Any) -> None:
    make_task(actor=org.east_rep2, title="李四的秘密", due_on=dt.date(2026, 10, 9))
    assert [u.pk for u in selectors.calendar_people(actor=org.east_rep)] == [org.east_rep.pk]
    with pytest.raises(NotFound):
        selectors.calendar_person(actor=org.east_rep, user_id=org.east_rep2.pk)
    page = _client(org.east_rep).get(
        reverse("activities:calendar"), {"user": org.east_rep2.pk, "date": "2026-10-09"}
    )
    assert page.status_code == 404
    page = _client(org.east_rep).get(reverse("activities:calendar"), {"user": "abc"})
    assert page.status_code == 404


def test_a_manager_opens_a_team_members_calendar_but_not_outsiders(org: Any) -> None:
    make_task(actor=org.east_rep2, title="李四的任务", due_on=dt.date(2026, 10, 9))
    people = {u.pk for u in selectors.calendar_people(actor=org.manager)}
    assert {org.manager.pk, org.east_rep.pk, org.east_rep2.pk, org.west_rep.pk} <= people
    assert org.service_agent.pk not in people and org.admin.pk not in people
    client = _client(org.manager)
    page = client.get(
        reverse("activities:calendar"), {"user": org.east_rep2.pk, "date": "2026-10-09"}
    )
    assert page.status_code == 200 and "李四的任务" in page.content.decode()
    assert (
        client.get(reverse("activities:calendar"), {"user": org.service_agent.pk}).status_code
        == 404
    )


def test_month_page_shows_meeting_and_holiday_label(org: Any) -> None:
    make_meeting(actor=org.east_rep, title="国庆后复盘", starts_at=at(dt.date(2026, 10, 8), 14))
    client = _client(org.east_rep)
    page = client.get(
        reverse("activities:calendar"), {"date": "2026-10-15"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-date="2026-10-01"' in html and "国庆节" in html
    assert "14:00 国庆后复盘" in html
    assert 'data-testid="makeup-day"' in html


def test_week_page_and_bad_parameters(org: Any) -> None:
    make_task(actor=org.east_rep, title="周三任务", due_on=dt.date(2026, 10, 14))
    client = _client(org.east_rep)
    page = client.get(reverse("activities:calendar"), {"view": "week", "date": "2026-10-14"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="calendar-day"') == 7
    assert "周三任务" in html and "2026-10-12 – 10-18" in html
    for date in ("garbage", "0001-01-01", "2026-02-30", "9" * 50):
        assert client.get(reverse("activities:calendar"), {"date": date}).status_code == 200


def test_reminder_due_at_is_derived_from_due_time(org: Any) -> None:
    task = make_task(
        actor=org.east_rep, due_on=dt.date(2026, 10, 9), due_time="15:00", remind_minutes_before=60
    )
    assert task.remind_at == at(dt.date(2026, 10, 9), 14)
    moved = services.task_update(
        actor=org.east_rep, task=task, expected_version=None, due_time=None
    )
    assert moved.remind_at == at(dt.date(2026, 10, 9), 8)  # 09:00 minus one hour


def test_home_lists_todays_meetings_and_calendar_day_links_to_a_new_meeting(org: Any) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    make_meeting(actor=org.east_rep, title="今天的会", starts_at=at(today, 23, 0))
    make_meeting(
        actor=org.east_rep, title="下周的会", starts_at=at(today + dt.timedelta(days=7), 9)
    )
    client = _client(org.east_rep)
    home = client.get("/").content.decode()
    assert 'data-testid="my-day-meetings"' in home
    assert "今天的会" in home and "下周的会" not in home
    page = client.get(reverse("activities:calendar"), {"date": "2026-10-15"}).content.decode()
    assert "/activities/meetings/create/?date=2026-10-15" in page
    form = client.get(reverse("activities:meeting_create"), {"date": "2026-10-15"}).content.decode()
    assert 'value="2026-10-15T10:00"' in form
