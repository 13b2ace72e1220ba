"""A small shop with known orders (docs/analytics.md works the same example):

Nov 2026 (today 2026-11-25): buyers c1, c2, c3 (east reps) and c6 (west) = 4;
new: c3; retained (bought in Oct too): c1, c6; repeat (two purchase days): c1;
orders 6, revenue 1,650. Oct 2026 buyers: c1, c4, c6 = 3. c5 has only a
cancelled, a refunded and a future order. c4 moved to lost on 2026-11-10.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.models import CustomerScore, StageChange
from guanxi.customers.models import Customer
from guanxi.reports.tests.factories import make_customer, make_sale

TODAY = dt.date(2026, 11, 25)
OCTOBER_END = dt.date(2026, 10, 31)


@dataclass
class Shop:
    org: Any
    customers: dict[str, Customer]


def _score(customer: Customer, *, r: int, f: int, clv: str | None, at_risk: bool = False) -> None:
    CustomerScore.objects.create(
        customer=customer,
        scope_owner_id=customer.owner_id,
        r_score=r,
        f_score=f,
        m_score=3,
        rfm_score=r * 100 + f * 10 + 3,
        monetary=Decimal("100"),
        clv_12m=Decimal(clv) if clv is not None else None,
        is_at_risk=at_risk,
        value_at_risk=Decimal("500") if at_risk else Decimal("0"),
        computed_at=timezone.now(),
    )


def build_shop(org: Any) -> Shop:
    east, east2, west = org.east_rep, org.east_rep2, org.west_rep
    c = {
        "c1": make_customer(east, name="甲公司"),
        "c2": make_customer(east, name="乙公司"),
        "c3": make_customer(east2, name="丙公司"),
        "c4": make_customer(east, name="丁公司"),
        "c5": make_customer(west, name="戊公司"),
        "c6": make_customer(west, name="己公司"),
    }
    day = dt.date
    make_sale(customer=c["c1"], day=day(2026, 10, 5), total=100, profit=10)
    make_sale(customer=c["c1"], day=day(2026, 11, 3), total=200, profit=20)
    make_sale(customer=c["c1"], day=day(2026, 11, 20), total=300, profit=30)
    make_sale(customer=c["c2"], day=day(2025, 11, 10), total=50, profit=5)
    make_sale(customer=c["c2"], day=day(2026, 11, 10), total=150, profit=15)
    make_sale(customer=c["c3"], day=day(2026, 11, 15), total=400, profit=40)
    make_sale(customer=c["c3"], day=day(2026, 11, 15), total=100, profit=10)
    make_sale(customer=c["c4"], day=day(2026, 10, 20), total=80, profit=8)
    make_sale(customer=c["c5"], day=day(2026, 11, 1), total=1000, status="cancelled")
    make_sale(customer=c["c5"], day=day(2026, 11, 2), total=900, status="refunded")
    make_sale(customer=c["c5"], day=day(2026, 12, 1), total=700)
    make_sale(customer=c["c6"], day=day(2026, 10, 1), total=500, profit=50)
    make_sale(customer=c["c6"], day=day(2026, 11, 2), total=500, profit=50)
    stages = {
        "c1": "active",
        "c2": "active",
        "c3": "prospect",
        "c4": "dormant",
        "c5": "prospect",
        "c6": "loyal",
    }
    grades = {"c1": "A", "c2": "B", "c3": "B", "c4": "C", "c5": "D", "c6": "A"}
    for key, customer in c.items():
        Customer.objects.filter(pk=customer.pk).update(
            lifecycle_stage=stages[key], grade=grades[key]
        )
    _score(c["c1"], r=5, f=4, clv="3000")
    _score(c["c2"], r=4, f=2, clv="800")
    _score(c["c4"], r=1, f=1, clv="50", at_risk=True)
    _score(c["c6"], r=5, f=4, clv="5000")
    # The October month-end snapshot, then November's changes and the run of today.
    dashboard_tables_refresh(today=OCTOBER_END)
    Customer.objects.filter(pk=c["c4"].pk).update(lifecycle_stage="lost")
    Customer.objects.filter(pk=c["c3"].pk).update(lifecycle_stage="new")
    changed = timezone.make_aware(dt.datetime(2026, 11, 10, 12, 0))
    StageChange.objects.create(
        customer=c["c4"], from_stage="dormant", to_stage="lost", changed_at=changed
    )
    StageChange.objects.create(
        customer=c["c3"], from_stage="prospect", to_stage="new", changed_at=changed
    )
    dashboard_tables_refresh(today=TODAY)
    return Shop(org=org, customers=c)


@pytest.fixture
def shop(org: Any) -> Shop:
    return build_shop(org)
