"""A user's tasks and meetings as an iCalendar feed (RFC 5545) for phone calendars.

Tasks are VEVENTs, not VTODOs: Apple and Google calendars ignore VTODO in a
subscribed feed. A task with a due time is a 30-minute event at that time; one
without is an all-day event. Meetings carry location, URL, organiser and attendees.
Times carry TZID=Asia/Shanghai (the installation's zone) with its VTIMEZONE.
Each item's UID is stable (`task-<id>@<host>`), and DTSTAMP is the item's last
change, so the same data gives the same bytes (the ETag is a hash of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from guanxi.activities.models import MeetingStatus, TaskStatus
from guanxi.activities.selectors.meetings import MeetingFilter, meeting_list, with_people
from guanxi.activities.selectors.tasks import TaskFilter, task_list

MONTHS_BACK = 3
MONTHS_AHEAD = 12
TASK_MINUTES = 30
MAX_ITEMS = 5000


@dataclass
class Feed:
    body: bytes
    etag: str
    last_modified: dt.datetime | None


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _window(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=31 * MONTHS_BACK), today + dt.timedelta(days=31 * MONTHS_AHEAD)


def _task_event(task: Any, *, host: str, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@{host}")
    event.add("dtstamp", task.updated_at.astimezone(dt.UTC))
    event.add("last-modified", task.updated_at.astimezone(dt.UTC))
    prefix = "✓ " if task.status == TaskStatus.DONE else ""
    event.add("summary", f"{prefix}{task.title}")
    if task.due_time is not None:
        start = dt.datetime.combine(task.due_on, task.due_time, tzinfo=_zone())
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=TASK_MINUTES))
    else:
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    lines = [_("Task"), f"{_('Priority')}: {task.get_priority_display()}"]
    if task.customer_id:
        lines.append(f"{_('Customer')}: {task.customer.name}")
    if task.notes:
        lines.append(task.notes)
    event.add("description", "\n".join(lines))
    event.add("url", base_url + reverse("activities:task_update", args=[task.pk]))
    event.add("categories", [str(_("Task"))])
    return event


def _meeting_event(meeting: Any, *, host: str, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    event.add("summary", meeting.title)
    if meeting.is_all_day:
        first = timezone.localtime(meeting.starts_at).date()
        last = timezone.localtime(meeting.ends_at).date()
        event.add("dtstart", first)
        event.add("dtend", last + dt.timedelta(days=1))
    else:
        event.add("dtstart", meeting.starts_at.astimezone(_zone()))
        event.add("dtend", meeting.ends_at.astimezone(_zone()))
    event.add("sequence", meeting.version)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    where = meeting.location or meeting.online_url
    if where:
        event.add("location", where)
    url = base_url + reverse("activities:meeting_detail", args=[meeting.pk])
    event.add("url", url)
    lines = []
    if meeting.customer_id:
        lines.append(f"{_('Customer')}: {meeting.customer.name}")
    if meeting.online_url:
        lines.append(f"{_('Online meeting link')}: {meeting.online_url}")
    if meeting.agenda:
        lines.append(f"{_('Agenda')}:")
        lines.extend(f"- {item}" for item in meeting.agenda)
    lines.append(url)
    event.add("description", "\n".join(lines))
    organiser = vCalAddress(f"mailto:{meeting.organiser.email or meeting.organiser.username}")
    organiser.params["cn"] = vText(str(meeting.organiser))
    event.add("organizer", organiser)
    for user in meeting.attendees.all():
        address = vCalAddress(f"mailto:{user.email or user.username}")
        address.params["cn"] = vText(str(user))
        address.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address, encode=0)
    for contact in meeting.contacts.all():
        emails = contact.emails or []
        address = vCalAddress(
            f"mailto:{emails[0]}" if emails else f"urn:guanxi:contact:{contact.pk}"
        )
        address.params["cn"] = vText(contact.name)
        address.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", address, encode=0)
    event.add("categories", [str(_("Meeting"))])
    return event


def calendar_feed(*, user: Any, host: str, base_url: str) -> Feed:
    """The user's own tasks (assigned to them) and meetings (organised or attended),
    read with the user's own permissions and scope."""
    start, end = _window(timezone.localdate())
    calendar = Calendar()
    calendar.add("prodid", "-//Guanxi CRM//activities//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Guanxi · {user}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    latest: dt.datetime | None = None
    tasks = (
        task_list(actor=user, filters=TaskFilter(assignee=user.pk))
        .filter(due_on__range=(start, end))
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("due_on", "id")
    )
    for task in tasks[:MAX_ITEMS]:
        calendar.add_component(_task_event(task, host=host, base_url=base_url))
        latest = max(latest, task.updated_at) if latest else task.updated_at
    window_start = timezone.make_aware(dt.datetime.combine(start, dt.time()))
    window_end = timezone.make_aware(dt.datetime.combine(end, dt.time()))
    meetings = with_people(
        meeting_list(
            actor=user,
            filters=MeetingFilter(
                person=user.pk, starts_from=window_start, starts_before=window_end
            ),
        )
    ).order_by("starts_at", "id")
    for meeting in meetings[:MAX_ITEMS]:
        calendar.add_component(_meeting_event(meeting, host=host, base_url=base_url))
        latest = max(latest, meeting.updated_at) if latest else meeting.updated_at
    calendar.add_missing_timezones()
    body = calendar.to_ical()
    return Feed(
        body=body,
        etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        last_modified=latest,
    )
