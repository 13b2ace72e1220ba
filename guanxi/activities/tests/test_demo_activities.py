"""The demo generator for tasks and meetings: valid rows the pages and feed can show."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from guanxi.activities import selectors
from guanxi.activities.models import Meeting, MeetingStatus, Task
from guanxi.activities.workdays import is_working_day
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.demo.activities import generate_activities

pytestmark = pytest.mark.django_db


def test_demo_tasks_and_meetings(org: Any) -> None:
    for _index in range(5):
        ContactFactory(customer=CustomerFactory(owner=org.east_rep))
    users = [org.manager, org.east_rep, org.east_rep2, org.west_rep, org.service_agent]
    seen: list[int] = []
    counts = generate_activities(
        rng=random.Random(5), customers=1000, users=users, progress=lambda d, t: seen.append(d)
    )
    assert counts["tasks"] == Task.objects.count() == 150 == seen[-1]
    assert counts["meetings"] == Meeting.objects.count() == 4 * 3 * 12
    assert {t.assignee_id for t in Task.objects.all()} <= {
        org.manager.pk,
        org.east_rep.pk,
        org.east_rep2.pk,
        org.west_rep.pk,
    }
    assert all(is_working_day(day) for day in Task.objects.values_list("due_on", flat=True))
    now = timezone.now()
    for meeting in Meeting.objects.all():
        assert meeting.ends_at > meeting.starts_at
        if meeting.starts_at > now:
            assert meeting.status == MeetingStatus.PLANNED
        if meeting.status == MeetingStatus.HELD:
            assert meeting.minutes
    with_customer = Meeting.objects.filter(customer__isnull=False)
    assert with_customer.exists() and with_customer.filter(contacts__isnull=False).exists()
    # What the rep sees on the calendar page comes from these rows.
    month = selectors.calendar_month(
        actor=org.east_rep, person=org.east_rep, year=now.year, month=now.month
    )
    assert any(cell.entries for week in month.weeks for cell in week)
