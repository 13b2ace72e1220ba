"""Helpers that create products and orders through the services (STYLE.md rule 14)."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from guanxi.customers.tests.factories import _superuser_actor
from guanxi.sales.models import Order, Product
from guanxi.sales.services import order_create, product_create

_skus = count(1)


def make_product(*, actor: Any = None, **fields: Any) -> Product:
    fields.setdefault("sku", f"SKU-{next(_skus):04d}")
    fields.setdefault("name", "测试产品")
    fields.setdefault("list_price", Decimal("100.00"))
    fields.setdefault("cost", Decimal("60.00"))
    return product_create(actor=actor or _superuser_actor(), **fields)


def make_order(
    *, customer: Any, lines: list[dict[str, Any]] | None = None, actor: Any = None, **fields: Any
) -> Order:
    """An order for `customer`, written by its owner unless `actor=` is given."""
    if lines is None:
        lines = [{"product": make_product().pk, "quantity": 1}]
    return order_create(
        actor=actor or customer.owner or _superuser_actor(),
        customer=customer,
        lines=lines,
        **fields,
    )
