"""The calendar: a person's tasks, meetings and follow-ups due, by day, with the
Chinese public holidays and make-up working days marked.

Everything is read through the actor's scope: a manager looking at a rep's calendar
sees only what the manager may see; a rep can only pick themself.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from guanxi.activities.models import MeetingStatus, TaskStatus
from guanxi.activities.permissions import VIEW_MEETING, VIEW_TASK
from guanxi.activities.selectors.meetings import MeetingFilter, meeting_list
from guanxi.activities.selectors.tasks import TaskFilter, task_list
from guanxi.activities.workdays import DayInfo, day_info
from guanxi.customers.selectors import interaction_list
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import people_scope

MAX_ENTRIES_PER_KIND = 2000
MAX_MEETING_DAYS = 31
KIND_ORDER = {"meeting": 0, "task": 1, "follow_up": 2}


@dataclass
class CalendarEntry:
    kind: str  # "task", "meeting" or "follow_up"
    title: str
    day: dt.date
    time: dt.time | None
    url: str
    subtitle: str = ""
    is_closed: bool = False  # done task, cancelled meeting

    @property
    def sort_key(self) -> tuple[int, dt.time, int, str]:
        """Untimed first (all-day meetings, tasks, follow-ups), then by time."""
        return (
            0 if self.time is None else 1,
            self.time or dt.time(0),
            KIND_ORDER.get(self.kind, 9),
            self.title,
        )


@dataclass
class CalendarDay:
    day: dt.date
    info: DayInfo
    is_today: bool
    is_in_month: bool = True
    entries: list[CalendarEntry] = field(default_factory=list)

    @property
    def is_off(self) -> bool:
        return not self.info.is_working_day


@dataclass
class CalendarMonth:
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    previous: dt.date
    next: dt.date


def calendar_people(*, actor: Any) -> list[Any]:
    """Whose calendar the actor may open: themself, plus the people their data
    scope covers (a manager's team and sub-teams, everyone for "all")."""
    users = get_user_model().objects.filter(people_scope(actor), is_active=True)
    return list(users.order_by("display_name", "username")[:500])


def calendar_person(*, actor: Any, user_id: Any) -> Any:
    """The person whose calendar to show; someone outside the actor's scope 404s."""
    if user_id in (None, ""):
        return actor
    try:
        pk = int(user_id)
    except (TypeError, ValueError) as error:
        raise NotFound("user") from error
    if pk == actor.pk:
        return actor
    for person in calendar_people(actor=actor):
        if person.pk == pk:
            return person
    raise NotFound("user")


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)


def calendar_entries(
    *, actor: Any, person: Any, start: dt.date, end: dt.date
) -> dict[dt.date, list[CalendarEntry]]:
    """Entries on the days start..end (inclusive): three queries, one per kind."""
    by_day: dict[dt.date, list[CalendarEntry]] = {}

    def put(entry: CalendarEntry) -> None:
        by_day.setdefault(entry.day, []).append(entry)

    if has_permission(actor, VIEW_TASK):
        tasks = (
            task_list(actor=actor, filters=TaskFilter(assignee=person.pk))
            .filter(due_on__range=(start, end))
            .exclude(status=TaskStatus.CANCELLED)
            .order_by("due_on", "due_time", "id")
        )
        for task in tasks[:MAX_ENTRIES_PER_KIND]:
            put(
                CalendarEntry(
                    kind="task",
                    title=task.title,
                    day=task.due_on,
                    time=task.due_time,
                    url=reverse("activities:task_update", args=[task.pk]),
                    subtitle=task.customer.name if task.customer_id else "",
                    is_closed=task.status != TaskStatus.OPEN,
                )
            )
    if has_permission(actor, VIEW_MEETING):
        window_start = timezone.make_aware(dt.datetime.combine(start, dt.time(0, 0)))
        window_end = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
        meetings = meeting_list(
            actor=actor,
            filters=MeetingFilter(
                person=person.pk, starts_from=window_start, starts_before=window_end
            ),
        ).order_by("starts_at", "id")
        for meeting in meetings[:MAX_ENTRIES_PER_KIND]:
            first = _local(meeting.starts_at).date()
            last = _local(meeting.ends_at).date()
            day = max(first, start)
            url = reverse("activities:meeting_detail", args=[meeting.pk])
            where = meeting.location or (meeting.customer.name if meeting.customer_id else "")
            while day <= min(last, end, first + dt.timedelta(days=MAX_MEETING_DAYS)):
                is_first = day == first
                put(
                    CalendarEntry(
                        kind="meeting",
                        title=meeting.title,
                        day=day,
                        time=None
                        if meeting.is_all_day or not is_first
                        else _local(meeting.starts_at).time(),
                        url=url,
                        subtitle=where,
                        is_closed=meeting.status == MeetingStatus.CANCELLED,
                    )
                )
                day += dt.timedelta(days=1)
    follow_ups = (
        interaction_list(actor=actor)
        .filter(
            Q(author_id=person.pk) | Q(customer__owner_id=person.pk),
            is_follow_up_done=False,
            next_follow_up_on__range=(start, end),
        )
        .order_by("next_follow_up_on", "id")
    )
    for interaction in follow_ups[:MAX_ENTRIES_PER_KIND]:
        put(
            CalendarEntry(
                kind="follow_up",
                title=interaction.customer.name,
                day=interaction.next_follow_up_on,
                time=None,
                url=reverse("customers:customer_detail", args=[interaction.customer_id]),
                subtitle=interaction.content[:80],
            )
        )
    for entries in by_day.values():
        entries.sort(key=lambda entry: entry.sort_key)
    return by_day


def _days(
    *, actor: Any, person: Any, start: dt.date, end: dt.date, month: int | None = None
) -> list[CalendarDay]:
    entries = calendar_entries(actor=actor, person=person, start=start, end=end)
    today = timezone.localdate()
    days = []
    day = start
    while day <= end:
        days.append(
            CalendarDay(
                day=day,
                info=day_info(day),
                is_today=day == today,
                is_in_month=month is None or day.month == month,
                entries=entries.get(day, []),
            )
        )
        day += dt.timedelta(days=1)
    return days


def calendar_month(*, actor: Any, person: Any, year: int, month: int) -> CalendarMonth:
    """Whole weeks (Monday first) covering the month."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    start = first - dt.timedelta(days=first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    days = _days(actor=actor, person=person, start=start, end=end, month=month)
    weeks = [days[index : index + 7] for index in range(0, len(days), 7)]
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return CalendarMonth(year=year, month=month, weeks=weeks, previous=previous, next=following)


def calendar_week(*, actor: Any, person: Any, day: dt.date) -> list[CalendarDay]:
    """Monday to Sunday of the week holding `day`."""
    start = day - dt.timedelta(days=day.weekday())
    return _days(actor=actor, person=person, start=start, end=start + dt.timedelta(days=6))
