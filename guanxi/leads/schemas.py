"""REST API schemas for leads (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate, ApiDateTime
from guanxi.platform.api_support import Id, InSchema

SourceCode = Literal[
    "manual", "import", "api", "web_form", "referral", "exhibition", "advertising", "other"
]
EditableStatus = Literal["new", "contacted", "qualified", "disqualified"]
StatusCode = Literal["new", "contacted", "qualified", "disqualified", "converted"]
ActivityKind = Literal["call", "visit", "wechat", "email", "note"]
LeadSort = Literal["-id", "id", "-updated", "updated"]

Name = Annotated[str, Field(min_length=1, max_length=100)]
Short = Annotated[str, Field(max_length=100)]
Company = Annotated[str, Field(max_length=200)]
PhoneText = Annotated[str, Field(max_length=40)]
EmailText = Annotated[str, Field(max_length=254)]
Region = Annotated[str, Field(max_length=50)]
Reason = Annotated[str, Field(max_length=200)]
Text = Annotated[str, Field(max_length=20000)]


class _LeadFields(InSchema):
    company: Company = None  # type: ignore[assignment]
    title: Short = None  # type: ignore[assignment]
    mobile: PhoneText = None  # type: ignore[assignment]
    phone: PhoneText = None  # type: ignore[assignment]
    email: EmailText = None  # type: ignore[assignment]
    wechat_id: Short = None  # type: ignore[assignment]
    province: Region = None  # type: ignore[assignment]
    city: Region = None  # type: ignore[assignment]
    source: SourceCode = None  # type: ignore[assignment]
    status: EditableStatus = None  # type: ignore[assignment]
    disqualify_reason: Reason = None  # type: ignore[assignment]
    owner: Id | None = Field(
        None,
        description="A user id. Left out on create: the team's assignment rule picks one "
        "(or the lead waits in the team's shared pool); null: the shared pool.",
    )
    team: Id | None = None
    notes: Text = None  # type: ignore[assignment]


class LeadIn(_LeadFields):
    name: Name


class LeadPatchIn(_LeadFields):
    name: Name = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class LeadOut(Schema):
    id: int
    version: int
    name: str
    company: str
    title: str
    mobile: str
    phone: str
    email: str
    wechat_id: str
    province: str
    city: str
    source: SourceCode
    status: StatusCode
    disqualify_reason: str
    owner: int | None
    owner_name: str | None
    team: int | None
    notes: str
    assigned_at: dt.datetime | None
    last_followed_at: dt.datetime | None
    converted_at: dt.datetime | None
    converted_customer: int | None
    converted_contact: int | None
    created_by: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class LeadPageOut(Schema):
    items: list[LeadOut]
    next_cursor: str | None


class LeadFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    status: StatusCode | Literal[""] = ""
    source: SourceCode | Literal[""] = ""
    owner: Id | None = None
    is_pool: bool = Field(False, description="Only unowned leads (the shared pool).")
    sort: LeadSort = "-id"


class LeadActivityIn(InSchema):
    kind: ActivityKind
    content: Annotated[str, Field(min_length=1, max_length=20000)]
    occurred_at: ApiDateTime | None = None


class LeadActivityOut(Schema):
    id: int
    kind: ActivityKind
    content: str
    occurred_at: dt.datetime
    author: int | None
    author_name: str | None


class LeadConvertIn(InSchema):
    customer: Id | None = Field(
        None, description="Attach to this existing customer; left out: create a new one."
    )
    customer_name: Company = Field(
        "", description="Name of the new customer (default: the company, else the person)."
    )
    create_opportunity: bool = False
    opportunity_title: Annotated[str, Field(max_length=200)] = ""
    opportunity_amount: Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)] | None = (
        None
    )
    opportunity_close_on: ApiDate | None = None
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class LeadConvertOut(Schema):
    lead: LeadOut
    customer: int
    contact: int
    opportunity: int | None
    is_new_customer: bool


class DuplicateCandidateOut(Schema):
    customer: int
    customer_name: str
    owner_name: str | None
    reasons: list[str]
    is_visible: bool
