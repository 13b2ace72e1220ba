"""REST API schemas for the shared pool (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import model_validator

from guanxi.platform.api_support import Id, InSchema

PoolKind = Literal["customer", "lead"]


class PoolFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    province: Annotated[str, Field(max_length=50)] = ""
    source: Annotated[str, Field(max_length=100)] = ""
    industry: Annotated[str, Field(max_length=100)] = ""
    min_days_in_pool: Annotated[int, Field(ge=0, le=36500)] | None = None


class PoolCustomerOut(Schema):
    id: int
    name: str
    industry: str
    source: str
    province: str
    city: str
    team: int | None
    team_name: str | None
    in_pool_since: dt.datetime


class PoolLeadOut(Schema):
    id: int
    name: str
    company: str
    status: str
    source: str
    province: str
    city: str
    team: int | None
    team_name: str | None
    in_pool_since: dt.datetime


class PoolCustomerPageOut(Schema):
    items: list[PoolCustomerOut]
    next_cursor: str | None


class PoolLeadPageOut(Schema):
    items: list[PoolLeadOut]
    next_cursor: str | None


class _RecordIn(InSchema):
    customer: Id | None = None
    lead: Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> _RecordIn:
        if (self.customer is None) == (self.lead is None):
            raise ValueError("Name one customer or one lead.")
        return self


class PoolClaimIn(_RecordIn):
    pass


class PoolReleaseIn(_RecordIn):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class PoolAssignIn(_RecordIn):
    assignee: Id


class PoolEventOut(Schema):
    id: int
    kind: str
    customer: int | None
    lead: int | None
    owner: int | None
    actor: int | None
    team: int | None
    rule: int | None
    recycle_reason: str
    reason: str
    created_at: dt.datetime
