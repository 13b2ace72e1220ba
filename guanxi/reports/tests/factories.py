"""Orders written straight into the table (reports only read them; the sales
services are tested in guanxi.sales), and customers through their factory."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.sales.models import Order

_numbers = count(1)


def make_customer(owner: Any, **fields: Any) -> Any:
    return CustomerFactory(owner=owner, **fields)


def make_sale(
    *,
    customer: Any,
    day: dt.date,
    total: Decimal | str | int = "100.00",
    profit: Decimal | str | int = "30.00",
    status: str = "confirmed",
    owner: Any = "customer",
    **fields: Any,
) -> Order:
    total = Decimal(str(total))
    profit = Decimal(str(profit))
    return Order.objects.create(
        number=f"RPT-{next(_numbers):07d}",
        customer=customer,
        order_date=day,
        status=status,
        owner=customer.owner if owner == "customer" else owner,
        total=total,
        profit=profit,
        cost=total - profit,
        **fields,
    )
