"""In Chromium: the month calendar with a meeting and 国庆节, the week view as a day list
on a phone, a meeting's minutes turned into follow-up tasks, and subscribing to the iCal
feed (copy the URL, fetch it, parse it, find the meeting)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from guanxi.activities.models import Task
from guanxi.activities.services import meeting_create, task_create
from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_month_calendar_shows_meeting_and_national_day(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    meeting = meeting_create(
        actor=org.east_rep,
        title="国庆后客户复盘",
        starts_at=_at(dt.date(2026, 10, 9), 14),
        location="杭州",
    )
    task_create(actor=org.east_rep, title="补休日打电话", due_on=dt.date(2026, 10, 10))
    page = open_page(org.east_rep, viewport=viewport)
    page.goto("/activities/calendar/?date=2026-10-01")
    national = page.locator("[data-testid=calendar-day][data-date='2026-10-01']")
    expect(national.get_by_test_id("holiday")).to_have_text("国庆节")
    expect(national.get_by_test_id("holiday")).to_be_visible()
    saturday = page.locator("[data-testid=calendar-day][data-date='2026-10-10']")
    expect(saturday.get_by_test_id("makeup-day")).to_be_visible()
    entry = page.locator("[data-testid=calendar-day][data-date='2026-10-09']").get_by_test_id(
        "calendar-entry"
    )
    expect(entry).to_contain_text("14:00 国庆后客户复盘")
    save_screenshot(page, f"calendar-month-{size}")
    page.get_by_test_id("calendar-week").click()
    expect(page.get_by_test_id("calendar-day")).to_have_count(7)
    save_screenshot(page, f"calendar-week-{size}")
    page.get_by_test_id("calendar-next").click()
    expect(page.get_by_test_id("calendar-title")).to_contain_text("2026-10-05")
    page.get_by_test_id("calendar-entry").filter(has_text="国庆后客户复盘").click()
    page.wait_for_url(re.compile(rf"/activities/meetings/{meeting.pk}/$"))
    expect(page.get_by_test_id("meeting-heading")).to_have_text("国庆后客户复盘")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_minutes_to_follow_up_tasks(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="无锡紫砂壶厂", grade="A")
    meeting = meeting_create(
        actor=org.east_rep,
        title="紫砂新品沟通会",
        starts_at=_at(timezone.localdate(), 10),
        customer=customer.pk,
        attendees=[org.east_rep2.pk],
        agenda=["新品介绍", "交期"],
    )
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/activities/meetings/{meeting.pk}/")
    page.fill("#id_minutes", "寄三把样壶\n确认春节前交期")
    page.get_by_test_id("save-minutes").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text(re.compile("已召开|Held"))
    rows = page.get_by_test_id("follow-up-row")
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("input[name$='-title']")).to_have_value("寄三把样壶")
    rows.nth(0).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[type=checkbox]").check()
    rows.nth(1).locator("input[name$='-due_in_working_days']").fill("5")
    save_screenshot(page, f"meeting-minutes-{size}")
    page.get_by_test_id("create-follow-ups").click()
    expect(page.get_by_test_id("follow-up-tasks").get_by_test_id("task-item")).to_have_count(2)
    save_screenshot(page, f"meeting-detail-{size}")
    assert Task.objects.filter(meeting=meeting, customer=customer).count() == 2
    page.goto("/activities/meetings/?when=all")
    expect(page.get_by_test_id("meeting-item")).to_have_count(1)
    save_screenshot(page, f"meeting-list-{size}")
    page.goto(f"/activities/tasks/{Task.objects.filter(meeting=meeting).first().pk}/")
    expect(page.get_by_test_id("task-about")).to_contain_text("紫砂新品沟通会")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_subscribe_to_the_ical_feed_url(open_page, org, viewport):
    meeting_create(
        actor=org.east_rep,
        title="季度回顾会",
        starts_at=_at(timezone.localdate() + dt.timedelta(days=2), 15),
        location="上海办公室",
    )
    page = open_page(org.east_rep, viewport=viewport)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/activities/calendar/")
    page.get_by_test_id("calendar-subscribe").click()
    expect(page.get_by_test_id("feed-none")).to_be_visible()
    page.get_by_test_id("regenerate-feed").click()
    expect(page.get_by_test_id("feed-url")).to_be_visible()
    page.get_by_test_id("copy-feed-url").click()
    expect(page.get_by_test_id("copied")).to_be_visible()
    url = page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"/activities/calendar/feed/[\w-]+\.ics$", url)
    assert url == page.get_by_test_id("feed-url").input_value()
    save_screenshot(page, f"calendar-subscribe-{'phone' if viewport is PHONE else 'desktop'}")
    answer = page.request.get(url)
    assert answer.ok and answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.body())
    summaries = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert "季度回顾会" in summaries
    assert str(summaries["季度回顾会"]["LOCATION"]) == "上海办公室"
    page.goto("/activities/calendar/subscribe/")
    expect(page.get_by_test_id("feed-live")).to_be_visible()
    page.get_by_test_id("regenerate-feed").click()
    expect(page.get_by_test_id("feed-url")).not_to_have_value(url)
    assert page.request.get(url).status == 404


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_new_meeting_from_the_customer_page(open_page, org, viewport):
    from guanxi.activities.models import Meeting
    from guanxi.customers.services import contact_create

    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="南京云锦研究所", grade="A")
    contact_create(actor=org.east_rep, customer=customer, name="吴主任", title="主任")
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-meetings")).to_be_visible()
    page.get_by_test_id("customer-meeting-create").click()
    page.wait_for_url(re.compile(r"/activities/meetings/create/"))
    page.fill("#id_title", "云锦礼品定制洽谈")
    page.fill("#id_starts_at", "2026-12-08T10:00")
    page.fill("#id_location", "南京")
    page.fill("#id_agenda", "礼品样式\n数量与交期")
    contacts = page.locator("#field-contacts .ts-control")
    contacts.click()
    page.locator("#field-contacts .ts-dropdown .option", has_text="吴主任").click()
    colleagues = page.locator("#field-attendees .ts-control")
    colleagues.click()
    page.locator("#field-attendees .ts-dropdown .option", has_text="李四").click()
    page.keyboard.press("Escape")
    save_screenshot(page, f"meeting-form-{size}")
    page.get_by_test_id("save-meeting").click()
    page.wait_for_url(re.compile(r"/activities/meetings/\d+/$"))
    expect(page.get_by_test_id("meeting-contacts")).to_contain_text("吴主任")
    expect(page.get_by_test_id("meeting-attendees")).to_contain_text("李四")
    expect(page.get_by_test_id("meeting-agenda")).to_contain_text("数量与交期")
    meeting = Meeting.objects.get()
    assert meeting.customer_id == customer.pk
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-meetings")).to_contain_text("云锦礼品定制洽谈")
    save_screenshot(page, f"meeting-customer-360-{size}")
