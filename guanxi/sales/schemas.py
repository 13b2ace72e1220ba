"""REST API schemas for products and orders (STYLE.md rule 17).

Numbers are bounded so garbage is a 422 before it reaches a service; the
services still check the business rules (quantity > 0, discount 0–100 %,
known and active products) and answer with field errors like "lines.1.quantity".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema

Money = Annotated[Decimal, Field(ge=Decimal("-9999999999.99"), le=Decimal("9999999999.99"))]
Text = Annotated[str, Field(max_length=20000)]
OrderStatusCode = Literal["draft", "confirmed", "completed", "cancelled", "refunded"]
ProductSort = Literal["sku", "-sku", "name", "-name", "price", "-price", "-id", "id"]
OrderSort = Literal["-date", "date", "-total", "total", "-id", "id"]


class _PageParams(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


# --- products --------------------------------------------------------------------


class _ProductFields(InSchema):
    category: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    unit: Annotated[str, Field(max_length=20)] = None  # type: ignore[assignment]
    list_price: Money = None  # type: ignore[assignment]
    cost: Money = None  # type: ignore[assignment]
    is_active: bool = None  # type: ignore[assignment]
    notes: Text = None  # type: ignore[assignment]


class ProductIn(_ProductFields):
    sku: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(min_length=1, max_length=200)]


class ProductPatchIn(_ProductFields):
    sku: Annotated[str, Field(min_length=1, max_length=64)] = None  # type: ignore[assignment]
    name: Annotated[str, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class ProductOut(Schema):
    id: int
    version: int
    sku: str
    name: str
    category: str
    unit: str
    list_price: Decimal
    cost: Decimal
    is_active: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductFilter(_PageParams):
    q: Annotated[str, Field(max_length=100)] = ""
    category: Annotated[str, Field(max_length=100)] = ""
    is_active: bool | None = None
    sort: ProductSort = "sku"


# --- orders ----------------------------------------------------------------------


class OrderLineIn(InSchema):
    product: Id
    quantity: Money
    unit_price: Money | None = Field(
        None, description="Omit for the customer's price-list price (or the list price)."
    )
    discount_percent: Money = Decimal(0)  # type: ignore[assignment]


class _OrderFields(InSchema):
    order_date: ApiDate = None  # type: ignore[assignment]
    status: OrderStatusCode = None  # type: ignore[assignment]
    owner: Id | None = None
    notes: Text = None  # type: ignore[assignment]


class OrderIn(_OrderFields):
    customer: Id
    lines: Annotated[list[OrderLineIn], Field(max_length=200)]


class OrderPatchIn(_OrderFields):
    lines: Annotated[list[OrderLineIn], Field(max_length=200)] = Field(
        None, description="When sent, replaces all lines."
    )  # type: ignore[assignment]
    version: Id | None = Field(None, description="The version you read; stale -> 409.")


class OrderLineOut(Schema):
    id: int
    position: int
    product: int
    product_sku: str
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal
    line_cost: Decimal


class OrderOut(Schema):
    id: int
    version: int
    number: str
    customer: int
    customer_name: str
    order_date: dt.date
    status: str
    owner: int | None
    owner_name: str | None
    total: Decimal
    cost: Decimal
    profit: Decimal
    notes: str
    lines: list[OrderLineOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class OrderPageOut(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class OrderFilter(_PageParams):
    q: Annotated[str, Field(max_length=100)] = ""
    customer: Id | None = None
    owner: Id | None = None
    product: Id | None = None
    status: OrderStatusCode | Literal[""] = ""
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None
    sort: OrderSort = "-date"
