"""An incremental refresh (changed customers only) leaves exactly the rows a full
rewrite leaves: on a hand-built shop with every kind of change, and on random ones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.models import (
    CustomerScore,
    CustomerSnapshot,
    DashboardCustomer,
    DashboardCustomerMonth,
    DashboardRefresh,
    DashboardRefreshMode,
    KpiPeriod,
    ScoreCell,
    StageChange,
    StageFlowMonth,
)
from guanxi.customers.models import Customer
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = pytest.mark.django_db

EARLIER = dt.date(2026, 11, 20)
TODAY = dt.date(2026, 11, 25)


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every dashboard table as sorted value tuples (no ids; money to the cent)."""

    def dump(model: Any, *fields: str) -> list[tuple[Any, ...]]:
        def clean(value: Any) -> Any:
            return value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value

        rows = [tuple(clean(v) for v in row) for row in model.objects.values_list(*fields)]
        return sorted(rows, key=repr)

    keys = ("scope_owner_id", "team_id")
    return {
        "kpi": dump(
            KpiPeriod,
            "kind",
            "period",
            *keys,
            "buyers",
            "new_customers",
            "retained",
            "repeat_buyers",
            "orders",
            "revenue",
            "profit",
            "churned",
        ),
        "cells": dump(
            ScoreCell,
            *keys,
            "grade",
            "stage",
            "r_score",
            "f_score",
            "customers",
            "monetary",
            "clv_sum",
            "clv_customers",
            "at_risk",
            "value_at_risk",
        ),
        "snapshots": dump(
            CustomerSnapshot,
            "month",
            *keys,
            "grade",
            "stage",
            "customers",
            "clv_sum",
            "clv_customers",
        ),
        "flow": dump(StageFlowMonth, "month", *keys, "from_stage", "to_stage", "changes"),
        "customers": dump(
            DashboardCustomer,
            "customer_id",
            *keys,
            "grade",
            "stage",
            "r_score",
            "f_score",
            "monetary",
            "clv_12m",
            "is_at_risk",
            "value_at_risk",
        ),
        "months": dump(
            DashboardCustomerMonth,
            "customer_id",
            "month",
            *keys,
            "orders",
            "days",
            "revenue",
            "profit",
            "lost",
        ),
    }


def _score(customer: Customer, *, r: int, f: int, clv: str | None, at_risk: bool) -> None:
    CustomerScore.objects.update_or_create(
        customer=customer,
        defaults={
            "r_score": r,
            "f_score": f,
            "monetary": Decimal(100 * r),
            "clv_12m": Decimal(clv) if clv is not None else None,
            "is_at_risk": at_risk,
            "value_at_risk": Decimal("250.50") if at_risk else Decimal(0),
            "computed_at": timezone.now(),
        },
    )


def _touch(customer: Customer, **fields: Any) -> None:
    """A service's write: the fields and updated_at."""
    Customer.objects.filter(pk=customer.pk).update(updated_at=timezone.now(), **fields)


def _lost(customer: Customer, day: dt.date, before: str = "dormant") -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    StageChange.objects.create(
        customer=customer, from_stage=before, to_stage="lost", changed_at=moment
    )
    Customer.objects.filter(pk=customer.pk).update(lifecycle_stage="lost")


def _assert_incremental_equals_rewrite() -> dict[str, Any]:
    result = dashboard_tables_refresh(today=TODAY, incremental=True)
    assert result.mode == DashboardRefreshMode.INCREMENTAL
    after_incremental = _tables()
    dashboard_tables_refresh(today=TODAY)
    assert _tables() == after_incremental
    return result.rows | {"customers_changed": result.customers}


def test_incremental_refresh_equals_the_rewrite_after_every_kind_of_change(org) -> None:
    east, east2, west = org.east_rep, org.east_rep2, org.west_rep
    c = {
        key: make_customer(owner)
        for key, owner in zip("abcdefg", [east, east, east2, west, west, east, west], strict=True)
    }
    day = dt.date
    make_sale(customer=c["a"], day=day(2025, 11, 3), total=120)
    make_sale(customer=c["a"], day=day(2026, 10, 3), total=80)
    moved = make_sale(customer=c["b"], day=day(2026, 9, 9), total=300)
    cancelled = make_sale(customer=c["c"], day=day(2026, 11, 2), total=500)
    make_sale(customer=c["d"], day=day(2026, 11, 23), total=70)  # after EARLIER: counts later
    make_sale(customer=c["e"], day=day(2024, 1, 15), total=40)
    make_sale(customer=c["f"], day=day(2026, 8, 1), total=60)
    make_sale(customer=c["g"], day=day(2026, 11, 1), total=90)
    for key, r in zip("abcdefg", [5, 4, 3, 2, 1, 3, 4], strict=True):
        _score(c[key], r=r, f=r, clv=None if key == "e" else f"{r}00.10", at_risk=key in "ce")
    _lost(c["e"], day(2025, 6, 1))
    dashboard_tables_refresh(today=EARLIER)
    untouched = DashboardCustomer.objects.get(customer=c["g"])

    make_sale(customer=c["a"], day=day(2026, 11, 24), total=55)  # a new order
    moved.order_date = day(2026, 10, 30)  # moved a month later
    moved.save()
    cancelled.status = "cancelled"
    cancelled.save()
    _touch(c["b"], owner=west, team=org.west)  # new owner and team
    _touch(c["f"], deleted_at=timezone.now())  # to the recycle bin
    _score(c["c"], r=1, f=1, clv="5.00", at_risk=False)  # rescored
    _lost(c["a"], day(2026, 11, 21), before="active")  # churned this month
    _touch(c["a"], grade="B")

    rows = _assert_incremental_equals_rewrite()
    assert rows["customers_changed"] == 5  # a, b, c, d (order now counted), f
    assert DashboardCustomer.objects.get(customer=c["g"]) == untouched
    assert not DashboardCustomer.objects.filter(customer=c["f"]).exists()
    assert DashboardRefresh.objects.get().mode == DashboardRefreshMode.FULL


def test_a_new_month_or_a_first_refresh_rewrites_everything(org) -> None:
    customer = make_customer(org.east_rep)
    make_sale(customer=customer, day=dt.date(2026, 10, 2))
    first = dashboard_tables_refresh(today=dt.date(2026, 10, 31), incremental=True)
    assert first.mode == DashboardRefreshMode.FULL  # nothing to start from
    again = dashboard_tables_refresh(today=TODAY, incremental=True)
    assert again.mode == DashboardRefreshMode.FULL  # the trailing windows moved
    quiet = dashboard_tables_refresh(today=TODAY, incremental=True)
    assert (quiet.mode, quiet.customers) == (DashboardRefreshMode.INCREMENTAL, 0)


def test_a_drift_between_detail_and_aggregates_falls_back_to_the_rewrite(org) -> None:
    customer = make_customer(org.east_rep)
    make_sale(customer=customer, day=dt.date(2026, 11, 2))
    dashboard_tables_refresh(today=EARLIER)
    expected = _tables()
    KpiPeriod.objects.all().delete()  # the aggregates lost their rows
    _touch(customer, deleted_at=timezone.now())
    expected = {**expected, "kpi": [], "customers": [], "months": []}
    expected["cells"] = expected["snapshots"] = []

    result = dashboard_tables_refresh(today=EARLIER, incremental=True)

    assert result.mode == DashboardRefreshMode.FULL
    assert _tables() == expected


# --- random shops --------------------------------------------------------------------

DAYS = st.integers(min_value=-800, max_value=4)  # days before TODAY (a few after)
CHANGE = st.sampled_from(["order", "edit", "cancel", "owner", "delete", "score", "lost"])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    orders=st.lists(st.tuples(st.integers(0, 5), DAYS, st.integers(1, 900)), max_size=20),
    changes=st.lists(st.tuples(CHANGE, st.integers(0, 5), DAYS), min_size=1, max_size=8),
)
def test_random_changes_refresh_like_a_rewrite(org, orders, changes) -> None:
    with transaction.atomic():
        owners = [org.east_rep, org.east_rep2, org.west_rep]
        people = [make_customer(owners[index % 3]) for index in range(6)]
        made = [
            make_sale(
                customer=people[who],
                day=TODAY + dt.timedelta(days=offset),
                total=amount,
                status="confirmed" if amount % 7 else "refunded",
            )
            for who, offset, amount in orders
        ]
        for index, person in enumerate(people[:4]):
            _score(person, r=index + 1, f=5 - index, clv=f"{index}9.99", at_risk=index == 2)
        dashboard_tables_refresh(today=EARLIER)
        for change, who, offset in changes:
            person = people[who]
            day = TODAY + dt.timedelta(days=offset)
            if change == "order":
                made.append(make_sale(customer=person, day=day, total=10 + who))
            elif change in ("edit", "cancel") and made:
                order = made[(who + offset) % len(made)]
                if change == "edit":
                    order.order_date = day
                else:
                    order.status = "cancelled"
                order.save()
            elif change == "owner":
                owner = owners[(who + offset) % 3]
                _touch(person, owner=owner, team=owner.team)
            elif change == "delete":
                _touch(person, deleted_at=timezone.now())
            elif change == "score":
                _score(person, r=offset % 5 + 1, f=who % 5 + 1, clv=None, at_risk=who % 2 == 0)
            elif change == "lost" and day <= TODAY:
                _lost(person, day)
        _assert_incremental_equals_rewrite()
        transaction.set_rollback(True)
