"""REST API schemas for customers, contacts, follow-ups and tags (STYLE.md rule 17).

Input schemas forbid unknown fields and bound every string and number so that
garbage is refused with field errors before it reaches a service; the services
still validate everything (phones, e-mails, custom fields, owners, tags).
PATCH schemas declare every field optional but not nullable unless null means
something ("no owner", "no birthday"): only the fields sent are changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from guanxi.platform.api_support import Id, InSchema

MAX_DATE = dt.date(9998, 12, 31)
MIN_DATE = dt.date(1, 1, 2)
MAX_LIST_ITEMS = 50

ApiDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
ApiDateTime = Annotated[dt.datetime, Field(ge=dt.datetime(1, 1, 2), le=dt.datetime(9998, 12, 31))]
Text = Annotated[str, Field(max_length=20000)]
PhoneOrEmail = Annotated[str, Field(max_length=254)]
CustomFieldValue = (
    Annotated[str, Field(max_length=1000)]
    | int
    | float
    | bool
    | None
    | list[Annotated[str, Field(max_length=1000)]]
)
CustomFieldValues = Annotated[dict[str, CustomFieldValue], Field(max_length=100)]

CustomerKindCode = Literal["company", "individual"]
GradeCode = Literal["", "A", "B", "C", "D"]
StageCode = Literal["prospect", "new", "active", "loyal", "dormant", "lost"]
ChannelCode = Literal["", "phone", "email", "wechat", "sms", "visit"]
LanguageCode = Literal["zh-hans", "en"]
CalendarCode = Literal["solar", "lunar"]
InteractionKindCode = Literal["call", "email", "meeting", "visit", "wechat", "note"]
CustomerSort = Literal[
    "-id",
    "id",
    "name",
    "-name",
    "created",
    "-created",
    "updated",
    "-updated",
    "grade",
    "-grade",
    "stage",
    "-stage",
    "source",
    "-source",
    "industry",
    "-industry",
    "city",
    "-city",
]
ContactSort = Literal["-id", "id", "name", "-name", "created", "-created", "updated", "-updated"]


# --- tags ----------------------------------------------------------------------


class TagIn(InSchema):
    name: Annotated[str, Field(min_length=1, max_length=50)]
    color: Annotated[str, Field(max_length=7)] = "#206bc4"


class TagPatchIn(InSchema):
    name: Annotated[str, Field(min_length=1, max_length=50)] = None  # type: ignore[assignment]
    color: Annotated[str, Field(max_length=7)] = None  # type: ignore[assignment]
    version: Id | None = None


class TagOut(Schema):
    id: int
    name: str
    color: str
    group: str | None = None
    version: int


class TagRef(Schema):
    id: int
    name: str
    color: str


class TagListOut(Schema):
    items: list[TagOut]


# --- customers -----------------------------------------------------------------


class _CustomerFields(InSchema):
    kind: CustomerKindCode = None  # type: ignore[assignment]
    short_name: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    industry: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    source: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    grade: GradeCode = None  # type: ignore[assignment]
    lifecycle_stage: StageCode = None  # type: ignore[assignment]
    owner: Id | None = None
    team: Id | None = None
    phones: Annotated[list[PhoneOrEmail], Field(max_length=MAX_LIST_ITEMS)] = None  # type: ignore[assignment]
    emails: Annotated[list[PhoneOrEmail], Field(max_length=MAX_LIST_ITEMS)] = None  # type: ignore[assignment]
    wechat_id: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    province: Annotated[str, Field(max_length=50)] = None  # type: ignore[assignment]
    city: Annotated[str, Field(max_length=50)] = None  # type: ignore[assignment]
    district: Annotated[str, Field(max_length=50)] = None  # type: ignore[assignment]
    street: Annotated[str, Field(max_length=200)] = None  # type: ignore[assignment]
    preferred_channel: ChannelCode = None  # type: ignore[assignment]
    language: LanguageCode = None  # type: ignore[assignment]
    time_zone: Annotated[str, Field(max_length=64)] = None  # type: ignore[assignment]
    birthday: ApiDate | None = None
    birthday_calendar: CalendarCode = None  # type: ignore[assignment]
    lunar_birthday_month: Annotated[int, Field(ge=1, le=12)] | None = None
    lunar_birthday_day: Annotated[int, Field(ge=1, le=30)] | None = None
    lunar_birthday_is_leap_month: bool = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]
    custom_fields: CustomFieldValues = None  # type: ignore[assignment]
    tags: Annotated[list[Id], Field(max_length=MAX_LIST_ITEMS)] = None  # type: ignore[assignment]


class CustomerIn(_CustomerFields):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class CustomerPatchIn(_CustomerFields):
    name: Annotated[str, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class CustomerOut(Schema):
    id: int
    version: int
    kind: str
    name: str
    name_pinyin: str
    short_name: str
    industry: str
    source: str
    grade: str
    lifecycle_stage: str
    owner: int | None
    owner_name: str | None
    team: int | None
    team_name: str | None
    tags: list[TagRef]
    phones: list[str]
    emails: list[str]
    wechat_id: str
    province: str
    city: str
    district: str
    street: str
    preferred_channel: str
    language: str
    time_zone: str
    birthday: dt.date | None
    birthday_calendar: str
    lunar_birthday_month: int | None
    lunar_birthday_day: int | None
    lunar_birthday_is_leap_month: bool
    notes: str
    custom_fields: dict[str, Any]
    last_interaction_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class _PageParams(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class CustomerFilter(_PageParams):
    q: Annotated[str, Field(max_length=200)] = ""
    owner: Id | None = None
    team: Id | None = None
    tag: Id | None = None
    grade: GradeCode = ""
    stage: StageCode | Literal[""] = ""
    source: Annotated[str, Field(max_length=100)] = ""
    created_from: ApiDate | None = None
    created_to: ApiDate | None = None
    updated_from: ApiDate | None = None
    updated_to: ApiDate | None = None
    sort: CustomerSort = "-id"


# --- contacts ------------------------------------------------------------------


class _ContactFields(InSchema):
    title: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    phones: Annotated[list[PhoneOrEmail], Field(max_length=MAX_LIST_ITEMS)] = None  # type: ignore[assignment]
    emails: Annotated[list[PhoneOrEmail], Field(max_length=MAX_LIST_ITEMS)] = None  # type: ignore[assignment]
    wechat_id: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    is_primary: bool = None  # type: ignore[assignment]
    birthday: ApiDate | None = None
    birthday_calendar: CalendarCode = None  # type: ignore[assignment]
    lunar_birthday_month: Annotated[int, Field(ge=1, le=12)] | None = None
    lunar_birthday_day: Annotated[int, Field(ge=1, le=30)] | None = None
    lunar_birthday_is_leap_month: bool = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]
    custom_fields: CustomFieldValues = None  # type: ignore[assignment]


class ContactIn(_ContactFields):
    customer: Id
    name: Annotated[str, Field(min_length=1, max_length=100)]


class ContactPatchIn(_ContactFields):
    name: Annotated[str, Field(min_length=1, max_length=100)] = None  # type: ignore[assignment]
    version: Id | None = None


class ContactOut(Schema):
    id: int
    version: int
    customer: int
    customer_name: str
    name: str
    name_pinyin: str
    title: str
    phones: list[str]
    emails: list[str]
    wechat_id: str
    is_primary: bool
    birthday: dt.date | None
    birthday_calendar: str
    lunar_birthday_month: int | None
    lunar_birthday_day: int | None
    lunar_birthday_is_leap_month: bool
    notes: str
    custom_fields: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class ContactPageOut(Schema):
    items: list[ContactOut]
    next_cursor: str | None


class ContactFilter(_PageParams):
    q: Annotated[str, Field(max_length=200)] = ""
    customer: Id | None = None
    owner: Id | None = None
    created_from: ApiDate | None = None
    created_to: ApiDate | None = None
    sort: ContactSort = "-id"


# --- interactions ----------------------------------------------------------------


class _InteractionFields(InSchema):
    occurred_at: ApiDateTime = None  # type: ignore[assignment]
    contact: Id | None = None
    next_follow_up_on: ApiDate | None = None
    is_follow_up_done: bool = None  # type: ignore[assignment]


class InteractionIn(_InteractionFields):
    customer: Id
    kind: InteractionKindCode
    content: Annotated[str, Field(min_length=1, max_length=20000)]


class InteractionPatchIn(_InteractionFields):
    kind: InteractionKindCode = None  # type: ignore[assignment]
    content: Annotated[str, Field(min_length=1, max_length=20000)] = None  # type: ignore[assignment]
    version: Id | None = None


class InteractionOut(Schema):
    id: int
    version: int
    customer: int
    customer_name: str
    contact: int | None
    contact_name: str | None
    kind: str
    occurred_at: dt.datetime
    author: int | None
    author_name: str | None
    content: str
    next_follow_up_on: dt.date | None
    is_follow_up_done: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class InteractionPageOut(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


class InteractionFilter(_PageParams):
    customer: Id | None = None
    author: Id | None = None
