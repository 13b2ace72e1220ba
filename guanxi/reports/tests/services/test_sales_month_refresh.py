"""The aggregate equals a plain GROUP BY of the orders, after a rebuild and after
incremental refreshes of whatever changed in between."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.customers.services import customer_delete, customer_transfer
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.models import AuditEntry
from guanxi.reports.models import ReportRefresh, SalesMonth
from guanxi.reports.services import (
    SALES_MONTH,
    add_months,
    sales_month_rebuild,
    sales_month_refresh,
)
from guanxi.reports.tests.factories import make_customer, make_sale
from guanxi.sales.models import Order
from guanxi.sales.services import order_delete, order_update

STATUSES = ["confirmed", "completed", "draft", "cancelled", "refunded"]


def expected_rows() -> dict[tuple[Any, ...], tuple[Decimal, Decimal, int, int]]:
    """The aggregate computed the slow, obvious way."""
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), Decimal(0), 0, set()])
    for order in Order.objects.select_related("customer"):
        if order.status not in ("confirmed", "completed") or order.deleted_at:
            continue
        if order.customer.deleted_at:
            continue
        key = (
            order.order_date.replace(day=1),
            order.owner_id,
            order.customer.owner_id,
            order.customer.team_id,
        )
        row = sums[key]
        row[0] += order.total
        row[1] += order.profit
        row[2] += 1
        row[3].add(order.customer_id)
    return {k: (v[0], v[1], v[2], len(v[3])) for k, v in sums.items()}


def stored_rows() -> dict[tuple[Any, ...], tuple[Decimal, Decimal, int, int]]:
    rows = {}
    for row in SalesMonth.objects.all():
        key = (row.month, row.owner_id, row.scope_owner_id, row.team_id)
        assert key not in rows, f"duplicate aggregate row {key}"
        rows[key] = (
            Decimal(row.revenue).quantize(Decimal("0.01")),
            Decimal(row.profit).quantize(Decimal("0.01")),
            row.orders,
            row.customers,
        )
    return rows


def random_orders(org: Any, rng: random.Random, count: int) -> list[Any]:
    reps = [org.east_rep, org.east_rep2, org.west_rep, org.manager]
    customers = [make_customer(rng.choice(reps)) for _ in range(6)]
    today = timezone.localdate()
    orders = []
    for _ in range(count):
        customer = rng.choice(customers)
        total = Decimal(rng.randint(0, 500_000)) / 100
        orders.append(
            make_sale(
                customer=customer,
                day=today - dt.timedelta(days=rng.randint(0, 800)),
                total=total,
                profit=(total * Decimal(rng.randint(-20, 60)) / 100).quantize(Decimal("0.01")),
                status=rng.choice(STATUSES),
                owner=rng.choice([*reps, None, "customer"]),
            )
        )
    return orders


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_equals_group_by(org: Any, seed: int) -> None:
    random_orders(org, random.Random(seed), 60)
    result = sales_month_rebuild(actor=None)
    assert result.is_full
    assert stored_rows() == expected_rows()
    assert result.rows == SalesMonth.objects.count()
    state = ReportRefresh.objects.get(name=SALES_MONTH)
    assert state.refreshed_at == state.rebuilt_at == result.refreshed_at


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_incremental_refresh_follows_edits_deletes_and_transfers(org: Any, seed: int) -> None:
    rng = random.Random(seed)
    orders = random_orders(org, rng, 40)
    sales_month_rebuild(actor=None)
    # New orders, moved dates (the old month must shrink), status changes, deletes.
    random_orders(org, rng, 5)
    for order in rng.sample(orders, 8):
        order.refresh_from_db()
        order_update(
            actor=org.admin,
            order=order,
            expected_version=order.version,
            order_date=order.order_date - dt.timedelta(days=rng.randint(31, 300)),
            status=rng.choice(STATUSES),
        )
    for order in rng.sample(orders, 3):
        order_delete(actor=org.admin, order=Order.objects.get(pk=order.pk))
    # A customer changes hands: its orders' scope keys change in every month.
    moved = orders[0].customer
    moved.refresh_from_db()
    customer_transfer(actor=org.admin, customer=moved, new_owner=org.west_rep)
    gone = orders[-1].customer
    gone.refresh_from_db()
    if gone.pk != moved.pk:
        customer_delete(actor=org.admin, customer=gone)

    result = sales_month_refresh(actor=None)
    assert not result.is_full
    assert result.months > 0
    assert stored_rows() == expected_rows()


@pytest.mark.django_db
def test_first_refresh_is_a_rebuild_and_a_quiet_one_touches_nothing(org: Any) -> None:
    random_orders(org, random.Random(9), 10)
    assert sales_month_refresh(actor=None).is_full
    before = AuditEntry.objects.filter(action__startswith="reports.").count()
    again = sales_month_refresh(actor=None)
    assert not again.is_full
    # Orders written moments ago are inside the look-back overlap: re-read, same rows.
    assert stored_rows() == expected_rows()
    # The routine system refresh leaves no audit entry.
    assert AuditEntry.objects.filter(action__startswith="reports.").count() == before


@pytest.mark.django_db
def test_many_touched_months_fall_back_to_a_rebuild(org: Any) -> None:
    customer = make_customer(org.east_rep)
    sales_month_rebuild(actor=None)
    today = timezone.localdate().replace(day=1)
    for index in range(40):
        make_sale(customer=customer, day=add_months(today, -index))
    assert sales_month_refresh(actor=None).is_full
    assert stored_rows() == expected_rows()


@pytest.mark.django_db
def test_refresh_by_a_person_needs_the_permission_and_is_audited(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        sales_month_refresh(actor=org.manager)
    result = sales_month_refresh(actor=org.admin, full=True)
    assert result.is_full
    entry = AuditEntry.objects.get(action="reports.sales_month.rebuilt")
    assert entry.actor == org.admin


@pytest.mark.django_db
def test_command_refreshes(org: Any, capsys: Any) -> None:
    make_sale(customer=make_customer(org.east_rep), day=timezone.localdate())
    call_command("reports_refresh", "--full")
    assert "rebuilt" in capsys.readouterr().out
    call_command("reports_refresh")
    assert "refreshed" in capsys.readouterr().out
    assert SalesMonth.objects.count() == 1
