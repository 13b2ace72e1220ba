"""REST API schemas for opportunities and pipelines (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema

Title = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(max_length=300)]
Text = Annotated[str, Field(max_length=20000)]
# Bounds here only keep absurd numbers out; the service gives the field messages
# (a negative amount: "The amount cannot be negative.").
Amount = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]
StatusCode = Literal["open", "won", "lost"]
KindCode = Literal["open", "won", "lost"]
OpportunitySort = Literal["-id", "id", "close", "-close", "amount", "-amount", "-updated"]
Version = Annotated[int, Field(ge=1, le=2**31, description="The version you read; stale -> 409.")]


class _OpportunityFields(InSchema):
    contact: Id | None = None
    owner: Id = None  # type: ignore[assignment]
    team: Id | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] = None  # type: ignore[assignment]
    competitors: ShortText = None  # type: ignore[assignment]
    next_step: ShortText = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]


class OpportunityIn(_OpportunityFields):
    title: Title
    customer: Id
    amount: Amount
    expected_close_on: ApiDate
    pipeline: Id | None = None
    stage: Id | None = None
    lost_reason: ShortText = None  # type: ignore[assignment]


class OpportunityPatchIn(_OpportunityFields):
    title: Title = None  # type: ignore[assignment]
    customer: Id = None  # type: ignore[assignment]
    amount: Amount = None  # type: ignore[assignment]
    expected_close_on: ApiDate = None  # type: ignore[assignment]
    pipeline: Id = None  # type: ignore[assignment]
    stage: Id = None  # type: ignore[assignment]
    lost_reason: ShortText = None  # type: ignore[assignment]
    version: Version | None = None


class StageChangeIn(InSchema):
    stage: Id
    version: Version | None = Field(None, description="Or send If-Match.")
    lost_reason: ShortText = ""
    after: Id | None = Field(None, description="Place the card below this one (same stage).")
    before: Id | None = Field(None, description="Place the card above this one (same stage).")


class WinIn(InSchema):
    version: Version | None = None
    stage: Id | None = Field(None, description="A won stage; default: the first one.")


class LoseIn(InSchema):
    reason: Annotated[str, Field(min_length=1, max_length=300)]
    version: Version | None = None
    stage: Id | None = Field(None, description="A lost stage; default: the first one.")


class ReopenIn(InSchema):
    version: Version | None = None
    stage: Id | None = Field(None, description="An open stage; default: the last one it was in.")
    expected_close_on: ApiDate | None = None


class OpportunityOut(Schema):
    id: int
    version: int
    title: str
    customer: int
    customer_name: str
    contact: int | None
    pipeline: int
    stage: int
    stage_name: str
    probability: int
    amount: Decimal
    weighted_amount: Decimal
    currency: str
    expected_close_on: dt.date
    owner: int | None
    owner_name: str | None
    team: int | None
    competitors: str
    next_step: str
    notes: str
    status: StatusCode
    lost_reason: str
    won_at: dt.datetime | None
    lost_at: dt.datetime | None
    stage_entered_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OpportunityPageOut(Schema):
    items: list[OpportunityOut]
    next_cursor: str | None


class OpportunityFilterIn(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    status: StatusCode | Literal[""] = ""
    pipeline: Id | None = None
    stage: Id | None = None
    owner: Id | None = None
    team: Id | None = None
    customer: Id | None = None
    close_from: ApiDate | None = None
    close_to: ApiDate | None = None
    sort: OpportunitySort = "-id"


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int
    kind: KindCode


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    is_active: bool
    order: int
    stages: list[StageOut]
