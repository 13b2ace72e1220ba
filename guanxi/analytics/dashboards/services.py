"""Refreshing the dashboard tables (analytics.models KpiPeriod, CustomerSnapshot,
ScoreCell, StageFlowMonth) from the orders, customers, scores and stage history.

Two modes, one set of formulas (tables.py):

- **Rewrite** (the nightly job, `guanxi score`): every table emptied and refilled
  set-based in the database (`INSERT … SELECT … GROUP BY`, no rows through Python),
  each in its own transaction so a dashboard always reads a complete table.
- **Incremental** (`incremental=True`, the hourly job after the incremental
  scoring): only the customers that changed since the last refresh. Their old rows
  of the per-customer detail tables give what they added to the aggregates; those
  sums are subtracted, the detail rows rebuilt from their orders, scores and stage
  changes, and the new sums added — one transaction. Falls back to a rewrite when
  there is nothing to start from, the month changed (the trailing windows move) or
  too many customers changed.

No audit entry: derived data.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from guanxi.analytics.dashboards import tables
from guanxi.analytics.dashboards.kpi_rows import kpi_rows, read_customer_months
from guanxi.analytics.dashboards.tables import (
    AFFECTED,
    local_date_sql,
    month_index,
    month_of_index,
    period_sql,
    table,
)
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
from guanxi.sales.models import Order

__all__ = [
    "DashboardRefreshResult",
    "dashboard_tables_refresh",
    "local_date_sql",
    "month_index",
    "month_of_index",
    "period_sql",
]

Progress = Callable[[str, int, int], None]
CENT = Decimal("0.01")
# Above this share of the live customers an incremental refresh rewrites instead
# (subtracting and adding most of the table costs more than rebuilding it).
INCREMENTAL_MAX_SHARE = 0.2
MONEY_FIELDS = {"revenue", "profit", "monetary", "clv_sum", "value_at_risk"}


@dataclass
class DashboardRefreshResult:
    as_of: dt.date
    seconds: float
    mode: str = DashboardRefreshMode.FULL
    customers: int = 0
    rows: dict[str, int] = field(default_factory=dict)


class _Drift(Exception):
    """An aggregate would go negative: the tables and their detail disagree."""


def _execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        # No parameters: no placeholder parsing, so `%` stays the modulo operator.
        cursor.execute(sql, list(params) or None)
        return max(cursor.rowcount, 0)


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params) or None)
        return cursor.fetchall()


def _truncate(model: Any) -> None:
    if connection.vendor == "postgresql":
        _execute(f"TRUNCATE {table(model)}")
    else:
        _execute(f"DELETE FROM {table(model)}")


def _big_sorts() -> None:
    """PostgreSQL's default 4 MB work_mem sorts 10,000,000 orders on disk."""
    if connection.vendor == "postgresql":
        _execute("SET LOCAL work_mem = '256MB'")


def _last_stage_change() -> int:
    return StageChange.objects.aggregate(last=Max("id"))["last"] or 0


# --- rewrite ------------------------------------------------------------------------


def _rewrite(today: dt.date, last_change: int, progress: Progress) -> dict[str, int]:
    anchor = month_index(today)
    rows: dict[str, int] = {}
    progress("customers", 0, 6)
    with transaction.atomic():
        _truncate(DashboardCustomer)
        rows["customers"] = _execute(tables.customer_state_insert_sql(False))
    progress("score_cells", 1, 6)
    with transaction.atomic():
        _execute(f"DELETE FROM {table(ScoreCell)}")
        rows["score_cells"] = _execute(tables.cell_insert_sql())
        rows["customer_snapshots"] = _snapshot_rewrite(today)
    progress("customer_months", 2, 6)
    with transaction.atomic():
        _big_sorts()
        _truncate(DashboardCustomerMonth)
        rows["customer_months"] = _execute(tables.customer_months_insert_sql(today, False))
        rows["customer_months"] += _execute(
            tables.customer_lost_months_insert_sql(today, last_change, False)
        )
    progress("kpi_periods", 3, 6)
    kpis = kpi_rows(read_customer_months(affected=False), anchor)
    columns = ", ".join(tables.KPI_KEYS + tables.KPI_VALUES)
    with transaction.atomic(), connection.cursor() as cursor:
        _execute(f"DELETE FROM {table(KpiPeriod)}")
        cursor.executemany(
            f"INSERT INTO {table(KpiPeriod)} ({columns}) VALUES ({', '.join(['%s'] * 12)})",
            kpis,
        )
        rows["kpi_periods"] = len(kpis)
    progress("stage_flow", 4, 6)
    with transaction.atomic():
        _execute(f"DELETE FROM {table(StageFlowMonth)}")
        rows["stage_flow"] = _execute(tables.flow_insert_sql(last_change))
    progress("statistics", 5, 6)
    _statistics_refresh()
    return rows


def _snapshot_rewrite(today: dt.date) -> int:
    """The current month's snapshot, from the score cells: replaced by every run, so
    the last run of a month leaves the month-end state; past months are kept."""
    month = month_index(today)
    _execute(f"DELETE FROM {table(CustomerSnapshot)} WHERE month = %s", [month])
    return _execute(tables.snapshot_insert_sql(), [month])


def _statistics_refresh() -> None:
    """ANALYZE the rewritten tables and the score table: without statistics SQLite
    scanned every customer for the top-10 lists (0.4 s at 200,000) instead of
    walking the score indexes (5 ms)."""
    for model in (
        CustomerScore,
        KpiPeriod,
        CustomerSnapshot,
        ScoreCell,
        StageFlowMonth,
        DashboardCustomer,
        DashboardCustomerMonth,
    ):
        _execute(f"ANALYZE {table(model)}")


# --- incremental --------------------------------------------------------------------


def _changed_customers(state: DashboardRefresh, today: dt.date) -> set[int]:
    """Customers whose dashboard rows may differ from the last refresh's: rescored
    since (the incremental scoring rescored those whose orders, follow-ups or record
    changed), record changed (owner, team, deleted, restored), a new stage change, or
    an order dated between the last refresh's day and today (it counts from today)."""
    since = state.refreshed_at
    ids = set(
        CustomerScore.objects.filter(computed_at__gte=since)
        .order_by()
        .values_list("customer_id", flat=True)
    )
    ids.update(
        Customer.objects.filter(updated_at__gte=since).order_by().values_list("id", flat=True)
    )
    ids.update(
        Order.objects.filter(updated_at__gte=since).order_by().values_list("customer_id", flat=True)
    )
    ids.update(
        StageChange.objects.filter(id__gt=state.stage_change_id or 0)
        .order_by()
        .values_list("customer_id", flat=True)
    )
    if today > state.as_of:
        ids.update(
            Order.objects.filter(order_date__gt=state.as_of, order_date__lte=today)
            .order_by()
            .values_list("customer_id", flat=True)
        )
    return ids


def _affected_table(customer_ids: Iterable[int]) -> None:
    _execute(f"DROP TABLE IF EXISTS {AFFECTED}")
    _execute(f"CREATE TEMPORARY TABLE {AFFECTED} (customer_id bigint PRIMARY KEY)")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {AFFECTED} (customer_id) VALUES (%s)",
            [(int(value),) for value in customer_ids],
        )
    # Statistics, or PostgreSQL guesses ~2,500 rows and may scan the orders.
    _execute(f"ANALYZE {AFFECTED}")


def _number(name: str, value: Any) -> Any:
    if name in MONEY_FIELDS:
        return Decimal(str(value or 0)).quantize(CENT)
    return int(value or 0)


def _sums(
    rows: list[tuple[Any, ...]], keys: Sequence[str], values: Sequence[str]
) -> dict[tuple[Any, ...], list[Any]]:
    found: dict[tuple[Any, ...], list[Any]] = {}
    width = len(keys)
    for row in rows:
        key = tuple(row[:width])
        numbers = [_number(name, value) for name, value in zip(values, row[width:], strict=True)]
        if key in found:
            found[key] = [a + b for a, b in zip(found[key], numbers, strict=True)]
        else:
            found[key] = numbers
    return found


def _apply(
    model: Any,
    keys: Sequence[str],
    values: Sequence[str],
    old: list[tuple[Any, ...]],
    new: list[tuple[Any, ...]],
    *,
    is_empty: Callable[[Any], bool],
    narrow: Callable[[set[tuple[Any, ...]]], Q],
) -> int:
    """Add `new` and take away `old` (rows of keys + values) in `model`'s rows:
    update a row that exists, create one that does not, delete one left empty.
    Returns the number of rows touched."""
    before, after = _sums(old, keys, values), _sums(new, keys, values)
    deltas: dict[tuple[Any, ...], list[Any]] = {}
    for key in before.keys() | after.keys():
        minus = before.get(key) or [0] * len(values)
        plus = after.get(key) or [0] * len(values)
        delta = [b - a for a, b in zip(minus, plus, strict=True)]
        if any(delta):
            deltas[key] = delta
    if not deltas:
        return 0
    existing = {
        tuple(getattr(row, name) for name in keys): row
        for row in model.objects.filter(narrow(set(deltas)))
    }
    changed, created, emptied = [], [], []
    for key, delta in deltas.items():
        row = existing.get(key) or model(**dict(zip(keys, key, strict=True)))
        for name, amount in zip(values, delta, strict=True):
            total = _number(name, getattr(row, name)) + amount
            if total < 0:
                raise _Drift(f"{model.__name__} {key} {name} < 0")
            setattr(row, name, total)
        if "clv_sum" in values and not row.clv_customers:
            row.clv_sum = None
        if is_empty(row):
            if row.pk is not None:
                emptied.append(row.pk)
        elif row.pk is None:
            created.append(row)
        else:
            changed.append(row)
    model.objects.bulk_create(created, batch_size=500)
    model.objects.bulk_update(changed, list(values), batch_size=500)
    model.objects.filter(pk__in=emptied).delete()
    return len(changed) + len(created) + len(emptied)


def _key_filter(first: str, second: str | None = None) -> Callable[[set[tuple[Any, ...]]], Q]:
    """A prefilter on the leading key columns (matched exactly in Python after)."""

    def narrow(found: set[tuple[Any, ...]]) -> Q:
        query = Q(**{f"{first}__in": sorted({key[0] for key in found})})
        if second is not None:
            query &= Q(**{f"{second}__in": sorted({key[1] for key in found})})
        return query

    return narrow


def _incremental(
    today: dt.date, last_change: int, state: DashboardRefresh, customer_ids: set[int]
) -> dict[str, int]:
    anchor = month_index(today)
    old_change = state.stage_change_id or 0
    rows: dict[str, int] = {}
    with transaction.atomic():
        _affected_table(customer_ids)
        old_cells = _fetch(tables.cell_select_sql(True))
        old_flow = _fetch(tables.flow_select_sql(old_change, True))
        old_kpis = kpi_rows(read_customer_months(affected=True), anchor)
        only = f"customer_id IN (SELECT customer_id FROM {AFFECTED})"
        _execute(f"DELETE FROM {table(DashboardCustomer)} WHERE {only}")
        rows["customers"] = _execute(tables.customer_state_insert_sql(True))
        _execute(f"DELETE FROM {table(DashboardCustomerMonth)} WHERE {only}")
        rows["customer_months"] = _execute(tables.customer_months_insert_sql(today, True))
        rows["customer_months"] += _execute(
            tables.customer_lost_months_insert_sql(today, last_change, True)
        )
        new_cells = _fetch(tables.cell_select_sql(True))
        new_flow = _fetch(tables.flow_select_sql(last_change, True))
        new_kpis = kpi_rows(read_customer_months(affected=True), anchor)
        rows["score_cells"] = _apply(
            ScoreCell,
            tables.CELL_KEYS,
            tables.CELL_VALUES,
            old_cells,
            new_cells,
            is_empty=lambda row: not row.customers,
            narrow=lambda found: Q(),
        )
        rows["customer_snapshots"] = _snapshot_rewrite(today)
        rows["stage_flow"] = _apply(
            StageFlowMonth,
            tables.FLOW_KEYS,
            tables.FLOW_VALUES,
            old_flow,
            new_flow,
            is_empty=lambda row: not row.changes,
            narrow=_key_filter("month"),
        )
        rows["kpi_periods"] = _apply(
            KpiPeriod,
            tables.KPI_KEYS,
            tables.KPI_VALUES,
            old_kpis,
            new_kpis,
            is_empty=lambda row: not row.buyers and not row.churned,
            narrow=_key_filter("kind", "period"),
        )
        _execute(f"DROP TABLE IF EXISTS {AFFECTED}")
    return rows


def _can_go_incremental(state: DashboardRefresh | None, today: dt.date) -> bool:
    return (
        state is not None
        and state.stage_change_id is not None
        and state.anchor_month == month_index(today)
        and today >= state.as_of
    )


# --- the service --------------------------------------------------------------------


def dashboard_tables_refresh(
    *,
    today: dt.date | None = None,
    incremental: bool = False,
    progress: Progress | None = None,
) -> DashboardRefreshResult:
    """Bring the dashboard tables up to date as of `today` (default: the local date).

    `incremental=False` rewrites everything (past months' snapshots are kept: they
    are the history the KPIs compare with). `incremental=True` redoes only the
    customers changed since the last refresh (`_changed_customers`), and rewrites
    instead when that cannot be trusted (see the module docstring). Both leave the
    same rows (tests/dashboards/test_incremental.py). Idempotent.
    """
    today = today or timezone.localdate()
    report = progress or (lambda _step, _done, _total: None)
    started_at = timezone.now()
    clock = time.perf_counter()
    last_change = _last_stage_change()
    state = DashboardRefresh.objects.filter(pk=1).first()
    mode, changed = DashboardRefreshMode.FULL, 0
    rows: dict[str, int] | None = None
    if incremental and state is not None and _can_go_incremental(state, today):
        customer_ids = _changed_customers(state, today)
        live = DashboardCustomer.objects.count()
        if len(customer_ids) <= max(100, live * INCREMENTAL_MAX_SHARE):
            report("incremental", 0, 1)
            try:
                rows = _incremental(today, last_change, state, customer_ids)
                mode, changed = DashboardRefreshMode.INCREMENTAL, len(customer_ids)
            except _Drift:
                rows = None  # rolled back; rewrite below
    if rows is None:
        # Until the rewrite completes the detail tables do not match the aggregates.
        DashboardRefresh.objects.filter(pk=1).update(stage_change_id=None)
        rows = _rewrite(today, last_change, report)
    seconds = time.perf_counter() - clock
    DashboardRefresh.objects.update_or_create(
        pk=1,
        defaults={
            "as_of": today,
            "anchor_month": month_index(today),
            "refreshed_at": started_at,
            "duration_ms": int(seconds * 1000),
            "rows": rows,
            "mode": mode,
            "customers": changed,
            "stage_change_id": last_change,
        },
    )
    report("done", 1, 1)
    return DashboardRefreshResult(
        as_of=today, seconds=seconds, mode=mode, customers=changed, rows=rows
    )
