"""Tasks and meetings on the customer timeline (registered in ActivitiesConfig.ready).

A task sits at its due moment (its time, else 09:00 of the due day), so upcoming
tasks head the timeline and past ones fall into place among the follow-ups; a
meeting sits at its start.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.activities.models import Meeting, Task
from guanxi.activities.selectors.meetings import MeetingFilter, meeting_list
from guanxi.activities.selectors.tasks import TaskFilter, task_list
from guanxi.customers.timeline import TimelineEvent

DEFAULT_TIME = dt.time(9, 0)


def task_at(task: Task) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(task.due_on, task.due_time or DEFAULT_TIME))


def task_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    qs = task_list(actor=actor, filters=TaskFilter(customer=customer.pk))
    # not the page's customer again
    qs = qs.select_related(None).select_related("assignee", "created_by")
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


def meeting_events(
    *, customer: Any, actor: Any, limit: int, before: dt.datetime | None
) -> list[TimelineEvent]:
    qs = meeting_list(actor=actor, filters=MeetingFilter(customer=customer.pk))
    qs = qs.select_related(None).select_related("organiser")  # not the page's customer again
    if before is not None:
        qs = qs.filter(starts_at__lt=before)
    events = []
    meeting: Meeting
    for meeting in qs.order_by("-starts_at", "-id")[:limit]:
        where = meeting.location or (_("online") if meeting.online_url else "")
        body = _("Organised by %(organiser)s") % {"organiser": meeting.organiser}
        if where:
            body = f"{body} · {where}"
        if meeting.minutes:
            body = f"{body}\n{meeting.minutes[:300]}"
        events.append(
            TimelineEvent(
                at=meeting.starts_at,
                kind=f"meeting.{meeting.status}",
                title=_("Meeting: %(title)s · %(status)s")
                % {"title": meeting.title, "status": meeting.get_status_display()},
                body=body,
                actor_name=str(meeting.organiser),
                url=reverse("activities:meeting_detail", args=[meeting.pk]),
                icon="meeting",
                extra={"meeting": meeting},
            )
        )
    return events
