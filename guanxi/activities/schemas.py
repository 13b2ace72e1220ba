"""REST API schemas for tasks (STYLE.md rule 17)."""

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


class _TaskFields(InSchema):
    notes: Text = None  # type: ignore[assignment]
    due_time: dt.time | None = None
    priority: PriorityCode = None  # type: ignore[assignment]
    assignee: Id = None  # type: ignore[assignment]
    customer: Id | None = None
    due_in_working_days: WorkingDays | None = None


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
    sort: TaskSort = "due"
