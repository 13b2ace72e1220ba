"""REST API schemas for contracts, plans, payments and receivables (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema

Money = Annotated[Decimal, Field(ge=Decimal("-9999999999.99"), le=Decimal("9999999999.99"))]
Text = Annotated[str, Field(max_length=20000)]
Comment = Annotated[str, Field(max_length=2000)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[str, Field(min_length=3, max_length=3)]
RemindDays = Annotated[int, Field(ge=0, le=365)]
StatusCode = Literal["draft", "in_approval", "signed", "finished", "terminated"]
MethodCode = Literal["bank_transfer", "cash", "wechat", "alipay", "cheque", "other"]
ContractSort = Literal["-id", "id", "end", "-amount"]


class _ContractFields(InSchema):
    contact: Id | None = None
    opportunity: Id | None = None
    quote: Id | None = None
    owner: Id = None  # type: ignore[assignment]
    currency: Currency = None  # type: ignore[assignment]
    remind_days_before_end: RemindDays = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]


class ContractIn(_ContractFields):
    title: Title
    customer: Id
    amount: Money
    start_on: ApiDate
    end_on: ApiDate


class ContractPatchIn(_ContractFields):
    title: Title = None  # type: ignore[assignment]
    customer: Id = None  # type: ignore[assignment]
    amount: Money = None  # type: ignore[assignment]
    start_on: ApiDate = None  # type: ignore[assignment]
    end_on: ApiDate = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class StepIn(InSchema):
    comment: Comment = ""


class RejectIn(InSchema):
    comment: Comment = Field(..., description="Why it is rejected (required).")


class SignIn(InSchema):
    signed_on: ApiDate | None = None


class TerminateIn(InSchema):
    reason: Comment = Field(..., description="Why the contract ends early (required).")


class ContractOut(Schema):
    id: int
    version: int
    number: str
    title: str
    customer: int
    customer_name: str
    contact: int | None
    opportunity: int | None
    quote: int | None
    owner: int
    owner_name: str
    team: int | None
    amount: Decimal
    currency: str
    received: Decimal
    outstanding: Decimal
    start_on: dt.date
    end_on: dt.date
    signed_on: dt.date | None
    status: StatusCode
    is_approved: bool
    terminated_reason: str
    remind_days_before_end: int
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ContractPageOut(Schema):
    items: list[ContractOut]
    next_cursor: str | None


class ContractFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    status: StatusCode | Literal[""] = ""
    owner: Id | None = None
    customer: Id | None = None
    ending_soon: bool = False
    overdue: bool = False
    sort: ContractSort = "-id"


class InstalmentIn(InSchema):
    due_on: ApiDate
    amount: Money
    notes: Annotated[str, Field(max_length=300)] = ""


class PlanIn(InSchema):
    instalments: Annotated[list[InstalmentIn], Field(max_length=120)]


class InstalmentOut(Schema):
    id: int
    sequence: int
    due_on: dt.date
    amount: Decimal
    received: Decimal
    outstanding: Decimal
    status: Literal["unpaid", "partly", "paid", "overdue"]
    notes: str


class PaymentIn(InSchema):
    received_on: ApiDate
    amount: Money
    method: MethodCode = "bank_transfer"
    instalment: Id | None = None
    reference: Annotated[str, Field(max_length=100)] = ""
    notes: Annotated[str, Field(max_length=2000)] = ""


class PaymentOut(Schema):
    id: int
    contract: int
    instalment: int | None
    received_on: dt.date
    amount: Decimal
    method: MethodCode
    reference: str
    notes: str
    recorded_by: int | None
    created_at: dt.datetime


class AgeRowOut(Schema):
    id: int | None
    name: str
    not_due: Decimal
    overdue_1_30: Decimal
    overdue_31_60: Decimal
    overdue_61_90: Decimal
    overdue_over_90: Decimal
    total: Decimal


class ReceivablesOut(Schema):
    as_of: dt.date
    by_customer: list[AgeRowOut]
    by_owner: list[AgeRowOut]
    totals: AgeRowOut


class ReceivablesFilter(Schema):
    owner: Id | None = None
