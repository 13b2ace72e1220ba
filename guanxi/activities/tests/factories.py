"""Helpers that create tasks through the services (STYLE.md rule 14)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.activities.models import Task
from guanxi.activities.services import task_create
from guanxi.customers.tests.factories import _superuser_actor


def make_task(*, actor: Any = None, **fields: Any) -> Task:
    """A task due today, created by `actor` (default: a superuser) and assigned to them."""
    fields.setdefault("title", "回访客户")
    fields.setdefault("due_on", timezone.localdate())
    return task_create(actor=actor or _superuser_actor(), **fields)


def days_from_today(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
