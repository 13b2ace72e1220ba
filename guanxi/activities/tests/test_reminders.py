"""Task reminders: derived remind_at, the every-minute job sends each one exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.activities import services
from guanxi.activities.models import Task
from guanxi.activities.tests.factories import at, make_task
from guanxi.notifications.models import Notification
from guanxi.platform.exceptions import ValidationError

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)


def _reminders(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind="activities.task_reminder"))


def test_job_sends_due_reminders_once(org: Any) -> None:
    due = make_task(
        actor=org.east_rep,
        title="给王总回电",
        due_on=DAY,
        due_time="10:00",
        remind_minutes_before=15,
    )
    later = make_task(actor=org.east_rep, due_on=DAY, due_time="18:00", remind_minutes_before=15)
    make_task(actor=org.east_rep, due_on=DAY, due_time="10:00")  # no reminder
    assert due.remind_at == at(DAY, 9, 45)
    assert services.task_reminders_send(now=at(DAY, 9, 44)) == 0
    assert services.task_reminders_send(now=at(DAY, 9, 45)) == 1
    assert services.task_reminders_send(now=at(DAY, 9, 50)) == 0
    sent = _reminders(org.east_rep)
    assert len(sent) == 1
    assert "给王总回电" in sent[0].title and "2026-12-01 10:00" in sent[0].title
    assert sent[0].url == reverse("activities:task_update", args=[due.pk])
    later.refresh_from_db()
    assert later.reminded_at is None


def test_done_and_deleted_tasks_are_not_reminded_and_moving_rearms(org: Any) -> None:
    done = make_task(actor=org.east_rep, due_on=DAY, remind_minutes_before=0)
    services.task_done(actor=org.east_rep, task=done)
    deleted = make_task(actor=org.east_rep, due_on=DAY, remind_minutes_before=0)
    services.task_delete(actor=org.east_rep, task=deleted)
    moved = make_task(actor=org.east_rep, due_on=DAY, remind_minutes_before=1440)
    assert moved.remind_at == at(DAY - dt.timedelta(days=1), 9)
    assert services.task_reminders_send(now=at(DAY, 12)) == 1
    moved.refresh_from_db()
    assert moved.reminded_at is not None
    moved = services.task_update(
        actor=org.east_rep, task=moved, expected_version=None, due_on=DAY + dt.timedelta(days=7)
    )
    assert moved.reminded_at is None
    assert services.task_reminders_send(now=at(DAY + dt.timedelta(days=6), 9)) == 1
    assert len(_reminders(org.east_rep)) == 2


def test_periodic_job_runs_the_service(org: Any) -> None:
    from guanxi.activities.tasks import task_reminders_send_task

    make_task(actor=org.east_rep, due_on=dt.date(2020, 1, 2), remind_minutes_before=0)
    task_reminders_send_task.call_local()
    assert len(_reminders(org.east_rep)) == 1
    assert Task.objects.get().reminded_at is not None


@pytest.mark.parametrize("value", [-1, "abc", 43201, True])
def test_bad_reminder_is_a_field_error(org: Any, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        make_task(actor=org.east_rep, remind_minutes_before=value)
    assert "remind_minutes_before" in caught.value.field_errors
    assert Task.objects.count() == 0


def test_task_form_offers_the_reminder_choices(org: Any) -> None:
    client = Client()
    client.force_login(org.east_rep)
    form = client.get(reverse("activities:task_create")).content.decode()
    assert 'name="remind_minutes_before"' in form and 'value="1440"' in form
    created = client.post(
        reverse("activities:task_create"),
        {
            "title": "提醒我",
            "due_on": "2026-12-01",
            "due_time": "10:00",
            "assignee": org.east_rep.pk,
            "remind_minutes_before": "60",
        },
    )
    assert created.status_code == 302
    assert Task.objects.get().remind_at == at(DAY, 9)
    bad = client.post(
        reverse("activities:task_create"),
        {
            "title": "x",
            "due_on": "2026-12-01",
            "assignee": org.east_rep.pk,
            "remind_minutes_before": "7",
        },
    )
    assert bad.status_code == 200 and Task.objects.count() == 1


@pytest.mark.jobs
@pytest.mark.django_db(transaction=True)
def test_reminder_job_through_the_configured_queue(org: Any, real_queue: Any) -> None:
    """Queued like the scheduler queues it, run by a worker (SQLite file or Redis)."""
    from guanxi.activities.tasks import task_reminders_send_task

    make_task(actor=org.east_rep, due_on=dt.date(2020, 1, 2), remind_minutes_before=0)
    task_reminders_send_task()
    assert _reminders(org.east_rep) == []
    assert real_queue() == 1
    assert len(_reminders(org.east_rep)) == 1
    task_reminders_send_task()
    real_queue()
    assert len(_reminders(org.east_rep)) == 1  # sent once
