"""Tasks on the customer timeline (registered in ActivitiesConfig.ready).

A task sits at its due moment (its time, else 09:00 of the due day), so upcoming
tasks head the timeline and past ones fall into place among the follow-ups.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.activities.models import Task
from guanxi.activities.selectors import TaskFilter, task_list
from guanxi.customers.timeline import TimelineEvent

DEFAULT_TIME = dt.time(9, 0)


def task_at(task: Task) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(task.due_on, task.due_time or DEFAULT_TIME))


def task_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    qs = task_list(actor=actor, filters=TaskFilter(customer=customer.pk))
    if before is not None:
        qs = qs.filter(due_on__lte=timezone.localtime(before).date())
    events = []
    for task in qs.order_by("-due_on", "-due_time", "-id")[: limit + 1]:
        at = task_at(task)
        if before is not None and at >= before:
            continue
        events.append(
            TimelineEvent(
                at=at,
                kind=f"task.{task.status}",
                title=_("Task: %(title)s · %(status)s")
                % {"title": task.title, "status": task.get_status_display()},
                body=_("Assigned to %(assignee)s, priority %(priority)s")
                % {"assignee": task.assignee, "priority": task.get_priority_display()},
                actor_name=str(task.created_by or ""),
                url=reverse("activities:task_update", args=[task.pk]),
                icon="task",
                extra={"task": task},
            )
        )
    return events[:limit]
