"""REST API schemas for tasks and meetings (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema

Text = Annotated[str, Field(max_length=20000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
PriorityCode = Literal["low", "normal", "high", "urgent"]
StatusCode = Literal["open", "done", "cancelled"]
DueCode = Literal["overdue", "today", "week"]
TaskSort = Literal["due", "-due", "-id", "id"]
WorkingDays = Annotated[int, Field(ge=0, le=365, description="Due N working days after today.")]
RemindMinutes = Annotated[
    int,
    Field(
        ge=0,
        le=43200,
        description="Remind this many minutes before the due moment (its time, else 09:00).",
    ),
]


class _TaskFields(InSchema):
    notes: Text = None  # type: ignore[assignment]
    due_time: dt.time | None = None
    priority: PriorityCode = None  # type: ignore[assignment]
    assignee: Id = None  # type: ignore[assignment]
    customer: Id | None = None
    lead: Id | None = None
    opportunity: Id | None = None
    contract: Id | None = None
    due_in_working_days: WorkingDays | None = None
    remind_minutes_before: RemindMinutes | None = None


class TaskIn(_TaskFields):
    title: Title
    due_on: ApiDate | None = None


class TaskPatchIn(_TaskFields):
    title: Title = None  # type: ignore[assignment]
    due_on: ApiDate = None  # type: ignore[assignment]
    status: StatusCode = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class TaskDoneIn(InSchema):
    done: bool = True


class TaskOut(Schema):
    id: int
    version: int
    title: str
    notes: str
    assignee: int
    assignee_name: str
    due_on: dt.date
    due_time: dt.time | None
    priority: PriorityCode
    status: StatusCode
    done_at: dt.datetime | None
    customer: int | None
    customer_name: str | None
    lead: int | None
    opportunity: int | None
    contract: int | None
    meeting: int | None
    remind_minutes_before: int | None
    remind_at: dt.datetime | None
    created_by: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskPageOut(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    status: StatusCode | Literal[""] = ""
    due: DueCode | Literal[""] = ""
    priority: PriorityCode | Literal[""] = ""
    assignee: Id | None = None
    customer: Id | None = None
    lead: Id | None = None
    opportunity: Id | None = None
    contract: Id | None = None
    meeting: Id | None = None
    sort: TaskSort = "due"


# --- meetings ------------------------------------------------------------------------

MeetingStatusCode = Literal["planned", "held", "cancelled"]
MeetingSort = Literal["start", "-start", "id", "-id"]
AgendaItem = Annotated[str, Field(min_length=1, max_length=500)]
IdList = Annotated[list[Id], Field(max_length=200)]


class _MeetingFields(InSchema):
    ends_at: dt.datetime | None = None
    is_all_day: bool = None  # type: ignore[assignment]
    location: Annotated[str, Field(max_length=200)] = None  # type: ignore[assignment]
    online_url: Annotated[str, Field(max_length=500)] = None  # type: ignore[assignment]
    customer: Id | None = None
    organiser: Id = None  # type: ignore[assignment]
    attendees: IdList = None  # type: ignore[assignment]
    contacts: IdList = None  # type: ignore[assignment]
    agenda: Annotated[list[AgendaItem], Field(max_length=50)] = None  # type: ignore[assignment]


class MeetingIn(_MeetingFields):
    title: Title
    starts_at: dt.datetime


class MeetingPatchIn(_MeetingFields):
    title: Title = None  # type: ignore[assignment]
    starts_at: dt.datetime = None  # type: ignore[assignment]
    status: MeetingStatusCode = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class MeetingMinutesIn(InSchema):
    minutes: Text
    version: Id | None = None


class FollowUpTaskIn(InSchema):
    title: Title
    assignee: Id | None = None
    due_on: ApiDate | None = None
    due_in_working_days: WorkingDays | None = None


class FollowUpTasksIn(InSchema):
    tasks: Annotated[list[FollowUpTaskIn], Field(min_length=1, max_length=50)]


class PersonOut(Schema):
    id: int
    name: str


class MeetingOut(Schema):
    id: int
    version: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    is_all_day: bool
    location: str
    online_url: str
    customer: int | None
    customer_name: str | None
    organiser: int
    organiser_name: str
    attendees: list[PersonOut]
    contacts: list[PersonOut]
    agenda: list[str]
    minutes: str
    minutes_recorded_at: dt.datetime | None
    status: MeetingStatusCode
    follow_up_tasks: list[int]
    created_at: dt.datetime
    updated_at: dt.datetime


class MeetingPageOut(Schema):
    items: list[MeetingOut]
    next_cursor: str | None


class MeetingFilterIn(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    status: MeetingStatusCode | Literal[""] = ""
    customer: Id | None = None
    person: Id | None = Field(None, description="Organised or attended by this user.")
    starts_from: dt.datetime | None = Field(None, description="Ending at or after this moment.")
    starts_before: dt.datetime | None = None
    sort: MeetingSort = "start"
