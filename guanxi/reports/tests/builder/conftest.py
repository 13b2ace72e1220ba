"""The report builder's test data: a small hand-built book of customers, scores,
products and orders whose every group sum is easy to check by hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.reports.permissions import BUILDER_PERMISSIONS


@pytest.fixture
def org(org: Any) -> Any:
    """The reports app's organisation, with the builder permissions for the sales roles
    (migration 0003 grants them; a flushed live-server database recreates the roles
    from accounts.builtin_roles, which may not list them yet)."""
    from guanxi.accounts.models import Role
    from guanxi.platform.permissions import forget_cached_permissions

    for code in ("manager", "sales"):
        role = Role.objects.filter(code=code).first()
        if role is None or "*" in (role.permissions or []):
            continue
        missing = [p for p in BUILDER_PERMISSIONS if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    for user in vars(org).values():
        if getattr(user, "role_id", None):
            user.role = Role.objects.get(pk=user.role_id)
            forget_cached_permissions(user)
    return org


@dataclass
class Book:
    org: Any
    customers: dict[str, Any]
    tags: dict[str, Any]
    products: dict[str, Any]
    month: dt.date  # the month the orders fall in (last month)
    earlier: dt.date  # an earlier month (two months ago)


def last_months() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    first = today.replace(day=1)
    last = (first - dt.timedelta(days=1)).replace(day=1)
    earlier = (last - dt.timedelta(days=1)).replace(day=1)
    return last, earlier


def make_score(customer: Any, *, clv: str | None, at_risk: bool = False, value: str = "0") -> Any:
    from guanxi.analytics.models import CustomerScore

    return CustomerScore.objects.create(
        customer=customer,
        scope_owner_id=customer.owner_id,
        clv_12m=None if clv is None else Decimal(clv),
        is_at_risk=at_risk,
        value_at_risk=Decimal(value),
        computed_at=timezone.now(),
    )


def make_order(customer: Any, day: dt.date, lines: list[tuple[Any, str, str]], **fields: Any):
    """An order whose total/profit are the sums of its (product, total, cost) lines."""
    from guanxi.reports.tests.factories import make_sale
    from guanxi.sales.models import OrderLine

    total = sum((Decimal(t) for _p, t, _c in lines), Decimal("0"))
    cost = sum((Decimal(c) for _p, _t, c in lines), Decimal("0"))
    order = make_sale(customer=customer, day=day, total=total, profit=total - cost, **fields)
    for position, (product, line_total, line_cost) in enumerate(lines):
        OrderLine.objects.create(
            order=order,
            position=position,
            product=product,
            quantity=1,
            unit_price=Decimal(line_total),
            line_total=Decimal(line_total),
            unit_cost=Decimal(line_cost),
            line_cost=Decimal(line_cost),
        )
    return order


@pytest.fixture
def book(org: Any) -> Book:
    """Three customers of east1, one of east2, one of west1 (see each comment)."""
    from guanxi.customers.tests.factories import CustomerFactory, TagFactory
    from guanxi.sales.models import Product

    month, earlier = last_months()
    vip = TagFactory(name="VIP")
    hot = TagFactory(name="热门")
    tea = Product.objects.create(sku="TEA", name="绿茶")
    cup = Product.objects.create(sku="CUP", name="茶杯")

    def customer(owner: Any, name: str, tags: list[Any], **fields: Any) -> Any:
        return CustomerFactory(owner=owner, name=name, tags=tags, **fields)

    # east1: 甲 (上海, 制造, 展会, A, active, VIP+热门), 乙 (上海, 零售, 官网, B, loyal, VIP),
    # 丙 (江苏, no industry, 展会, no grade, prospect, no tag, no score)
    jia = customer(org.east_rep, "甲公司", [vip, hot], province="上海", industry="制造",
                   source="展会", grade="A", lifecycle_stage="active")  # fmt: skip
    yi = customer(org.east_rep, "乙公司", [vip], province="上海", industry="零售",
                  source="官网", grade="B", lifecycle_stage="loyal")  # fmt: skip
    bing = customer(org.east_rep, "丙公司", [], province="江苏", source="展会")
    # east2: 丁 (浙江, 制造, 官网, A, active, 热门); west1: 戊 (四川, 零售, 展会, C, dormant)
    ding = customer(org.east_rep2, "丁公司", [hot], province="浙江", industry="制造",
                    source="官网", grade="A", lifecycle_stage="active")  # fmt: skip
    wu = customer(org.west_rep, "戊公司", [], province="四川", industry="零售",
                  source="展会", grade="C", lifecycle_stage="dormant")  # fmt: skip
    make_score(jia, clv="1000.00")
    make_score(yi, clv="500.00", at_risk=True, value="300.00")
    make_score(ding, clv="200.00", at_risk=True, value="50.00")
    make_score(wu, clv="100.00", at_risk=True, value="80.00")
    # orders (total/cost per line): 甲 last month tea 1000/600 + cup 200/50, earlier tea 500/300
    make_order(jia, month, [(tea, "1000", "600"), (cup, "200", "50")])
    make_order(jia, earlier, [(tea, "500", "300")])
    # 乙 last month cup 300/100; a cancelled order that must not count
    make_order(yi, month, [(cup, "300", "100")])
    make_order(yi, month, [(tea, "9999", "0")], status="cancelled")
    # 丁 last month tea 400/250; 戊 last month tea 700/500
    make_order(ding, month, [(tea, "400", "250")])
    make_order(wu, month, [(tea, "700", "500")])
    return Book(
        org=org,
        customers={"jia": jia, "yi": yi, "bing": bing, "ding": ding, "wu": wu},
        tags={"vip": vip, "hot": hot},
        products={"tea": tea, "cup": cup},
        month=month,
        earlier=earlier,
    )
