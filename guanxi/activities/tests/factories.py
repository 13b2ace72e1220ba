"""Helpers that create tasks through the services (STYLE.md rule 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.activities.models import Meeting, Task
from guanxi.activities.services import meeting_create, task_create
from guanxi.customers.tests.factories import _superuser_actor


def make_task(*, actor: Any = None, **fields: Any) -> Task:
    """A task due today, created by `actor` (default: a superuser) and assigned to them."""
    fields.setdefault("title", "回访客户")
    fields.setdefault("due_on", timezone.localdate())
    return task_create(actor=actor or _superuser_actor(), **fields)


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_meeting(*, actor: Any = None, **fields: Any) -> Meeting:
    """A one-hour meeting tomorrow at 10:00, organised by `actor` (default: a superuser)."""
    fields.setdefault("title", "季度业务回顾")
    fields.setdefault("starts_at", at(days_from_today(1), 10))
    return meeting_create(actor=actor or _superuser_actor(), **fields)
