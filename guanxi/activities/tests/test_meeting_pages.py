"""Meeting pages: create from the 360 page, detail, minutes -> ticked follow-up rows ->
tasks, cancel, list; bad input and other people's meetings."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from guanxi.activities.models import Meeting, MeetingStatus, Task
from guanxi.activities.tests.factories import days_from_today, make_meeting
from guanxi.activities.workdays import working_days_after
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_create_with_customer_contacts_and_colleagues(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="厦门茶业")
    contact = ContactFactory(customer=customer, name="林总")
    client = _client(org.east_rep)
    url = reverse("activities:meeting_create")
    form = client.get(url, {"customer": customer.pk}).content.decode()
    assert "林总" in form and "厦门茶业" in form
    created = client.post(
        url,
        {
            "title": "拜访林总",
            "starts_at": "2026-12-03T10:00",
            "customer": customer.pk,
            "contacts": [contact.pk],
            "attendees": [org.east_rep2.pk],
            "agenda": "茶样\n价格",
            "location": "厦门",
        },
    )
    assert created.status_code == 302, created.content.decode()[:3000]
    meeting = Meeting.objects.get()
    assert created["Location"] == reverse("activities:meeting_detail", args=[meeting.pk])
    detail = client.get(created["Location"]).content.decode()
    assert "林总" in detail and "李四" in detail and "茶样" in detail
    bad = client.post(url, {"title": "", "starts_at": "later"})
    assert bad.status_code == 200 and Meeting.objects.count() == 1
    assert 'data-testid="error-title"' in bad.content.decode()


def test_minutes_give_one_follow_up_row_per_line_and_ticked_rows_become_tasks(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    meeting = make_meeting(actor=org.east_rep, customer=customer.pk)
    client = _client(org.east_rep)
    saved = client.post(
        reverse("activities:meeting_minutes", args=[meeting.pk]),
        {"minutes": "1. 寄样品给林总\n2. 准备报价单\n", "version": 1},
    )
    assert saved.status_code == 302
    detail = client.get(reverse("activities:meeting_detail", args=[meeting.pk])).content.decode()
    assert detail.count('data-testid="follow-up-row"') == 4  # two lines + two blank rows
    assert 'value="寄样品给林总"' in detail and 'value="准备报价单"' in detail
    management = {
        "rows-TOTAL_FORMS": "3",
        "rows-INITIAL_FORMS": "3",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "50",
    }
    rows = {
        "rows-0-is_selected": "on",
        "rows-0-title": "寄样品给林总",
        "rows-0-assignee": org.east_rep2.pk,
        "rows-0-due_in_working_days": "2",
        "rows-1-title": "准备报价单",  # not ticked
        "rows-1-assignee": org.east_rep.pk,
        "rows-1-due_in_working_days": "3",
        "rows-2-is_selected": "on",
        "rows-2-title": "约下次会",
        "rows-2-assignee": org.east_rep.pk,
        "rows-2-due_on": "2026-12-20",
    }
    created = client.post(
        reverse("activities:meeting_follow_ups", args=[meeting.pk]), {**management, **rows}
    )
    assert created.status_code == 302
    tasks = {task.title: task for task in Task.objects.all()}
    assert set(tasks) == {"寄样品给林总", "约下次会"}
    assert tasks["寄样品给林总"].assignee == org.east_rep2
    assert tasks["寄样品给林总"].due_on == working_days_after(days_from_today(0), 2)
    assert all(task.meeting_id == meeting.pk for task in tasks.values())
    after = client.get(reverse("activities:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'data-testid="follow-up-tasks"' in after
    assert 'value="寄样品给林总"' not in after  # already a task
    # A ticked row without a title: nothing is created, the error shows on the row.
    again = client.post(
        reverse("activities:meeting_follow_ups", args=[meeting.pk]),
        {
            **management,
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "rows-0-is_selected": "on",
            "rows-0-assignee": org.east_rep.pk,
            "rows-0-due_in_working_days": "1",
        },
    )
    assert again.status_code == 200 and Task.objects.count() == 2


def test_cancel_and_list(org: Any) -> None:
    meeting = make_meeting(actor=org.east_rep, title="要取消的会")
    make_meeting(actor=org.west_rep, title="西区的会")
    client = _client(org.east_rep)
    listed = client.get(reverse("activities:meeting_list")).content.decode()
    assert "要取消的会" in listed and "西区的会" not in listed
    assert client.post(reverse("activities:meeting_cancel", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    other = Meeting.objects.get(title="西区的会")
    for name in ("meeting_detail", "meeting_update"):
        assert client.get(reverse(f"activities:{name}", args=[other.pk])).status_code == 404
    assert client.post(reverse("activities:meeting_cancel", args=[other.pk])).status_code == 404


def test_customer_panel_lists_the_customers_meetings(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    make_meeting(actor=org.east_rep, customer=customer.pk, title="客户面谈")
    request = RequestFactory().get("/")
    request.user = org.east_rep
    template = Template('{% include "activities/partials/customer_meetings.html" %}')
    html = template.render(Context({"request": request, "customer": customer}))
    assert 'data-testid="customer-meetings"' in html and "客户面谈" in html
    request.user = org.west_rep
    html = template.render(Context({"request": request, "customer": customer}))
    assert "客户面谈" not in html


def test_contact_options_are_the_customers_contacts_in_scope(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    contact = ContactFactory(customer=customer, name="郑总", title="采购")
    ContactFactory(customer=CustomerFactory(owner=org.east_rep), name="别家")
    url = reverse("activities:contact_options")
    items = _client(org.east_rep).get(url, {"customer": customer.pk}).json()["items"]
    assert items == [{"value": contact.pk, "text": "郑总 采购"}]
    assert _client(org.west_rep).get(url, {"customer": customer.pk}).json()["items"] == []
    assert _client(org.east_rep).get(url, {"customer": "x"}).json()["items"] == []
