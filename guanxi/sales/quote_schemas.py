"""REST API schemas for quotes (STYLE.md rule 17).

Numbers are only bounded here (garbage is a 422 before the service); the quote
services check the business rules (quantity > 0, price ≥ 0, discounts and tax
0–100 %, known products, valid_until ≥ issued_on) and answer with field errors
like "lines.1.quantity".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema
from guanxi.sales.schemas import Money, Text

QuoteStatusCode = Literal["draft", "sent", "accepted", "rejected", "expired"]
QuoteSort = Literal["-date", "date", "-total", "total", "valid_until", "-valid_until", "-id", "id"]
Percent = Annotated[Decimal, Field(ge=Decimal("-1000"), le=Decimal("1000"))]


class QuoteLineIn(InSchema):
    product: Id | None = Field(None, description="A product, or none for a free-text line.")
    description: Annotated[str, Field(max_length=500)] = Field(
        "", description="Defaults to the product's name; required without a product."
    )
    quantity: Money
    unit: Annotated[str, Field(max_length=20)] = Field("", description="Defaults to the product's.")
    unit_price: Money | None = Field(
        None, description="Omit for the customer's price-list price (product lines only)."
    )
    discount_percent: Percent = Decimal(0)  # type: ignore[assignment]


class _QuoteFields(InSchema):
    title: Annotated[str, Field(max_length=200)] = None  # type: ignore[assignment]
    contact: Id | None = None
    opportunity: Id | None = None
    owner: Id | None = None
    issued_on: ApiDate = None  # type: ignore[assignment]
    valid_until: ApiDate = None  # type: ignore[assignment]
    currency: Annotated[str, Field(max_length=3)] = None  # type: ignore[assignment]
    discount_percent: Percent = None  # type: ignore[assignment]
    tax_rate: Percent = None  # type: ignore[assignment]
    terms: Text = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]


class QuoteIn(_QuoteFields):
    customer: Id
    lines: Annotated[list[QuoteLineIn], Field(max_length=200)]


class QuotePatchIn(_QuoteFields):
    lines: Annotated[list[QuoteLineIn], Field(max_length=200)] = Field(
        None, description="When sent, replaces all lines."
    )  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class QuoteActionIn(InSchema):
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class QuoteRejectIn(QuoteActionIn):
    reason: Annotated[str, Field(max_length=500)] = ""


class QuoteLineOut(Schema):
    id: int
    position: int
    product: int | None
    product_sku: str | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    amount: Decimal


class QuotePdfOut(Schema):
    id: int
    filename: str
    size: int
    sha256: str
    quote_version: int
    created_at: dt.datetime
    url: str


class QuoteOut(Schema):
    id: int
    version: int
    number: str
    customer: int
    customer_name: str
    contact: int | None
    opportunity: int | None
    title: str
    owner: int | None
    owner_name: str | None
    issued_on: dt.date
    valid_until: dt.date
    status: str
    currency: str
    discount_percent: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    discount_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    total_in_words: str
    terms: str
    notes: str
    rejection_reason: str
    sent_at: dt.datetime | None
    decided_at: dt.datetime | None
    order: int | None
    lines: list[QuoteLineOut]
    pdfs: list[QuotePdfOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class QuotePageOut(Schema):
    items: list[QuoteOut]
    next_cursor: str | None


class QuoteFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    q: Annotated[str, Field(max_length=100)] = ""
    customer: Id | None = None
    owner: Id | None = None
    status: QuoteStatusCode | Literal[""] = ""
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None
    sort: QuoteSort = "-date"
