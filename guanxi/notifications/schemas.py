from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread_count: int


class NotificationFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    unread: bool = False


class ReadAllOut(Schema):
    marked: int
