"""KpiPeriod rows summed from DashboardCustomerMonth rows, in numpy.

The per-customer flags (first buying period ever = new, bought in the period just
before = retained) need each customer's periods in order. In SQL that is a sort and
a window function per period kind over every customer-month (10,000,000 rows at
full size: 33 s of CPU per 2,000,000 rows on SQLite); here it is one ordered read
of the rows and a few vector operations per kind. The same function gives a list of
customers' contribution for the incremental refresh, so both modes share it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connection

from guanxi.analytics.dashboards.tables import AFFECTED, table
from guanxi.analytics.models import DashboardCustomerMonth, KpiPeriodKind

FETCH = 50_000
NO_KEY = -1  # a NULL owner or team while in an integer array
# Narrow columns: at 10,000,000 customer-months every byte per row is 10 MB, and
# the refresh must stay under 2 GB with the per-kind intermediates beside them.
# Ids of users and teams, months, order and day counts fit 32 bits; customer ids and
# cents get 64.
COLUMNS = {
    "customer": np.int64,
    "month": np.int32,
    "owner": np.int32,
    "team": np.int32,
    "orders": np.int32,
    "days": np.int32,
    "revenue": np.int64,
    "profit": np.int64,
    "lost": np.int8,
}


def _rows_sql(affected: bool) -> str:
    """Every column an integer (money in cents, NULL keys NO_KEY), so each slice
    converts to an array in one call."""
    where = f"WHERE customer_id IN (SELECT customer_id FROM {AFFECTED})" if affected else ""
    return f"""
        SELECT customer_id, month, COALESCE(scope_owner_id, {NO_KEY}),
            COALESCE(team_id, {NO_KEY}), orders, days, CAST(ROUND(revenue * 100) AS bigint),
            CAST(ROUND(profit * 100) AS bigint), lost
        FROM {table(DashboardCustomerMonth)} {where}
        ORDER BY customer_id, month
    """


def read_customer_months(*, affected: bool) -> dict[str, np.ndarray]:
    """The detail rows (all, or the affected customers'), ordered by customer and
    month, as preallocated column arrays (money in integer cents: exact sums). Read
    in slices through a server-side cursor on PostgreSQL, so 10,000,000 rows never
    sit in memory as Python tuples (450 MB as the arrays)."""
    where = f"WHERE customer_id IN (SELECT customer_id FROM {AFFECTED})" if affected else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table(DashboardCustomerMonth)} {where}")
        expected = cursor.fetchone()[0]
    columns = {name: np.empty(expected, dtype=dtype) for name, dtype in COLUMNS.items()}
    filled = 0
    cursor = connection.chunked_cursor() if not affected else connection.cursor()
    with cursor:
        cursor.execute(_rows_sql(affected))
        while rows := cursor.fetchmany(FETCH):
            chunk = np.array(rows, dtype=np.int64)
            end = filled + len(rows)
            for index, values in enumerate(columns.values()):
                values[filled:end] = chunk[:, index]
            filled = end
    return {name: values[:filled] for name, values in columns.items()}


def _period(kind: str, month: np.ndarray, anchor_month: int) -> np.ndarray:
    """The period index of month indexes (models.KpiPeriodKind; every operand is
    non-negative)."""
    if kind == KpiPeriodKind.MONTH:
        return month
    if kind == KpiPeriodKind.QUARTER:
        return month // 12 * 4 + month % 12 // 3
    if kind == KpiPeriodKind.YEAR:
        return month // 12
    return 0 - (anchor_month - month) // 12


def kpi_rows(data: dict[str, np.ndarray], anchor_month: int) -> list[tuple[Any, ...]]:
    """(kind, period, owner, team, buyers, new, retained, repeat buyers, orders,
    revenue, profit, churned) per period kind, period and scope key: the KpiPeriod
    rows of the customers in `data`."""
    result: list[tuple[Any, ...]] = []
    customer = data["customer"]
    if customer.size == 0:
        return result
    for kind in KpiPeriodKind.values:
        result.extend(_kind_rows(kind, data, anchor_month))
    return result


def _kind_rows(kind: str, data: dict[str, np.ndarray], anchor_month: int) -> list[tuple[Any, ...]]:
    """kpi_rows for one period kind. Intermediates are dropped as soon as they are
    used: each is 40–80 MB at 10,000,000 customer-months."""
    customer = data["customer"]
    period = _period(kind, data["month"], anchor_month)
    # One group per customer and period (rows are ordered, periods never go back).
    starts = np.ones(customer.size, dtype=bool)
    starts[1:] = (customer[1:] != customer[:-1]) | (period[1:] != period[:-1])
    first = np.flatnonzero(starts)
    del starts
    orders = np.add.reduceat(data["orders"], first)
    repeat = np.add.reduceat(data["days"], first) >= 2
    revenue = np.add.reduceat(data["revenue"], first)
    profit = np.add.reduceat(data["profit"], first)
    lost = np.maximum.reduceat(data["lost"], first)
    group_customer, group_period = customer[first], period[first]
    owner, team = data["owner"][first], data["team"][first]
    del first, period
    buyer = orders > 0
    buying = np.flatnonzero(buyer)
    buying_customer, buying_period = group_customer[buying], group_period[buying]
    del group_customer
    # The customer's previous buying period, if any.
    has_before = np.zeros(buying.size, dtype=bool)
    has_before[1:] = buying_customer[1:] == buying_customer[:-1]
    del buying_customer
    before = np.full(buying.size, np.iinfo(buying_period.dtype).min // 2, dtype=buying_period.dtype)
    before[1:] = buying_period[:-1]
    new = np.zeros(buyer.size, dtype=bool)
    retained = np.zeros(buyer.size, dtype=bool)
    new[buying] = ~has_before
    retained[buying] = has_before & (before == buying_period - 1)
    del buying, buying_period, has_before, before
    # Sum per (period, owner, team).
    order = np.lexsort((team, owner, group_period))
    at_period, at_owner, at_team = group_period[order], owner[order], team[order]
    del group_period, owner, team
    key_starts = np.ones(order.size, dtype=bool)
    key_starts[1:] = (
        (at_period[1:] != at_period[:-1])
        | (at_owner[1:] != at_owner[:-1])
        | (at_team[1:] != at_team[:-1])
    )
    key_first = np.flatnonzero(key_starts)
    del key_starts
    sums = [
        np.add.reduceat(values[order], key_first, dtype=np.int64).tolist()
        for values in (buyer, new, retained, repeat, orders, revenue, profit, lost)
    ]
    keys = zip(
        at_period[key_first].tolist(),
        at_owner[key_first].tolist(),
        at_team[key_first].tolist(),
        strict=True,
    )
    return [
        (
            kind,
            period_index,
            None if owner_id == NO_KEY else owner_id,
            None if team_id == NO_KEY else team_id,
            sums[0][index],
            sums[1][index],
            sums[2][index],
            sums[3][index],
            sums[4][index],
            Decimal(sums[5][index]) / 100,
            Decimal(sums[6][index]) / 100,
            sums[7][index],
        )
        for index, (period_index, owner_id, team_id) in enumerate(keys)
    ]
