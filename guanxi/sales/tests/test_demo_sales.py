"""The demo loader's products and orders: consistent totals, seasonal spread, scoped owners."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from guanxi.demo.generator import demo_create
from guanxi.sales.models import Order, OrderLine, PriceList, Product

pytestmark = pytest.mark.django_db


def test_demo_loads_products_and_orders_for_a_share_of_customers() -> None:
    result = demo_create(customers=300, seed=11)
    assert result.products == Product.objects.count() == 30
    assert PriceList.objects.filter(grade="A").exists()
    assert result.orders == Order.objects.count() > 0
    assert result.order_lines == OrderLine.objects.count()
    buyers = Order.objects.values("customer").distinct().count()
    assert 0.2 * 300 < buyers < 0.4 * 300
    # Compared in Python: SQLite sums decimals as floats.
    for order in Order.objects.annotate(lines_total=Sum("lines__line_total")):
        assert Decimal(order.lines_total).quantize(Decimal("0.01")) == order.total
        assert order.profit == order.total - order.cost
    for owner_id, customer_owner_id in Order.objects.values_list("owner_id", "customer__owner_id"):
        assert owner_id == customer_owner_id  # both None for customers in the pool
    assert Order.objects.values("number").distinct().count() == result.orders
    assert Order.objects.aggregate(total=Sum("total"))["total"] > Decimal(0)

    again = demo_create(customers=50, seed=12)  # a second load adds, never clashes
    assert Product.objects.count() == 30
    assert Order.objects.count() == result.orders + again.orders
