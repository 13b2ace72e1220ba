"""The SQL that fills the dashboard tables (services.py runs it).

Two layers: per-customer detail (DashboardCustomer: what a customer adds to the
score cells; DashboardCustomerMonth: its counted orders per month and its moves to
lost) and the aggregates the pages read (KpiPeriod — summed in numpy, kpi_rows.py —
ScoreCell, CustomerSnapshot, StageFlowMonth), each summed from the detail. Every
statement takes `affected`: False for the whole table (the nightly rewrite), True
for the customers listed in the temporary table AFFECTED (the incremental refresh),
so both modes share one formula and an incremental refresh equals a rewrite by
construction.

Reads the sales and customer tables directly: an aggregate over millions of rows
cannot go through the row selectors (STYLE rule 20's exception, as in reports).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from guanxi.analytics.models import (
    CustomerScore,
    CustomerSnapshot,
    DashboardCustomer,
    DashboardCustomerMonth,
    KpiPeriodKind,
    ScoreCell,
    StageChange,
    StageFlowMonth,
)
from guanxi.customers.models import Customer, LifecycleStage
from guanxi.sales.models import COUNTED_STATUSES, Order

AFFECTED = "dash_affected"


def month_index(day: dt.date) -> int:
    """Months as integers: year * 12 + month - 1 (what the tables store)."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _year_month_sql(date_sql: str) -> tuple[str, str]:
    """(year, month) integer expressions of a date expression."""
    if connection.vendor == "postgresql":
        return (
            f"CAST(EXTRACT(YEAR FROM {date_sql}) AS integer)",
            f"CAST(EXTRACT(MONTH FROM {date_sql}) AS integer)",
        )
    return (
        f"CAST(substr({date_sql}, 1, 4) AS integer)",
        f"CAST(substr({date_sql}, 6, 2) AS integer)",
    )


def period_sql(kind: str, date_sql: str, anchor_month: int) -> str:
    """The period index of a date expression for one kind (see models.KpiPeriodKind).
    Trailing windows: 0 = the 12 months up to `anchor_month`, -1 the 12 before, …;
    dates after the anchor month never reach here (future orders are left out)."""
    year, month = _year_month_sql(date_sql)
    month_number = f"({year} * 12 + {month} - 1)"
    if kind == KpiPeriodKind.MONTH:
        return month_number
    if kind == KpiPeriodKind.QUARTER:
        return f"({year} * 4 + ({month} - 1) / 3)"
    if kind == KpiPeriodKind.YEAR:
        return year
    return f"(0 - ({anchor_month} - {month_number}) / 12)"


def local_date_sql(column: str) -> str:
    """The local (settings.TIME_ZONE) calendar day of an aware datetime column."""
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    # SQLite stores UTC text; the zone's offset now (Asia/Shanghai has no DST).
    offset = timezone.localtime().utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


def _day_literal(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'" if connection.vendor == "postgresql" else f"'{day}'"


def _only_affected(column: str, affected: bool) -> str:
    return f" AND {column} IN (SELECT customer_id FROM {AFFECTED})" if affected else ""


# --- detail -------------------------------------------------------------------------


def customer_state_insert_sql(affected: bool) -> str:
    """One row per live customer: keys, grade, stage, R, F and the score sums."""
    return f"""
        INSERT INTO {table(DashboardCustomer)} (customer_id, scope_owner_id, team_id, grade,
            stage, r_score, f_score, monetary, clv_12m, is_at_risk, value_at_risk)
        SELECT c.id, c.owner_id, c.team_id, c.grade, c.lifecycle_stage,
            COALESCE(s.r_score, 0), COALESCE(s.f_score, 0), COALESCE(s.monetary, 0), s.clv_12m,
            CASE WHEN s.is_at_risk THEN TRUE ELSE FALSE END,
            CASE WHEN s.is_at_risk THEN s.value_at_risk ELSE 0 END
        FROM {table(Customer)} c LEFT JOIN {table(CustomerScore)} s ON s.customer_id = c.id
        WHERE c.deleted_at IS NULL{_only_affected("c.id", affected)}
    """


def customer_months_insert_sql(today: dt.date, affected: bool) -> str:
    """Counted orders per live customer and month up to `today`: the one scan of the
    orders (a full table scan on SQLite when rewriting: walking the (customer, date)
    index fetches 10,000,000 rows one by one); quarters, years and trailing windows
    are sums of these rows (purchase days of different months are different days)."""
    year, month = _year_month_sql("o.order_date")
    month_number = f"({year} * 12 + {month} - 1)"
    statuses = ", ".join(f"'{status}'" for status in COUNTED_STATUSES)
    scan = " NOT INDEXED" if connection.vendor == "sqlite" and not affected else ""
    return f"""
        INSERT INTO {table(DashboardCustomerMonth)} (customer_id, month, scope_owner_id,
            team_id, orders, days, revenue, profit, lost)
        SELECT o.customer_id, {month_number}, c.owner_id, c.team_id, COUNT(*),
            COUNT(DISTINCT o.order_date), SUM(o.total), SUM(o.profit), 0
        FROM {table(Order)} o{scan} JOIN {table(Customer)} c ON c.id = o.customer_id
        WHERE o.status IN ({statuses}) AND o.deleted_at IS NULL AND c.deleted_at IS NULL
            AND o.order_date <= {_day_literal(today)}{_only_affected("o.customer_id", affected)}
        GROUP BY o.customer_id, c.owner_id, c.team_id, {month_number}
    """


def customer_lost_months_insert_sql(today: dt.date, last_change: int, affected: bool) -> str:
    """A row per live customer and (local) month in which it moved to lost."""
    day = local_date_sql("sc.changed_at")
    month = period_sql(KpiPeriodKind.MONTH, day, 0)
    return f"""
        INSERT INTO {table(DashboardCustomerMonth)} (customer_id, month, scope_owner_id,
            team_id, orders, days, revenue, profit, lost)
        SELECT sc.customer_id, {month}, c.owner_id, c.team_id, 0, 0, 0, 0, 1
        FROM {table(StageChange)} sc JOIN {table(Customer)} c ON c.id = sc.customer_id
        WHERE sc.to_stage = '{LifecycleStage.LOST}' AND c.deleted_at IS NULL
            AND sc.id <= {int(last_change)} AND {day} <= {_day_literal(today)}
            {_only_affected("sc.customer_id", affected)}
        GROUP BY sc.customer_id, c.owner_id, c.team_id, {month}
    """


# --- aggregates ---------------------------------------------------------------------

KPI_KEYS = ("kind", "period", "scope_owner_id", "team_id")
KPI_VALUES = (
    "buyers",
    "new_customers",
    "retained",
    "repeat_buyers",
    "orders",
    "revenue",
    "profit",
    "churned",
)


CELL_KEYS = ("scope_owner_id", "team_id", "grade", "stage", "r_score", "f_score")
CELL_VALUES = (
    "customers",
    "monetary",
    "clv_sum",
    "clv_customers",
    "at_risk",
    "value_at_risk",
)


def cell_select_sql(affected: bool) -> str:
    where = f"WHERE TRUE{_only_affected('customer_id', affected)}" if affected else ""
    keys = ", ".join(CELL_KEYS)
    return f"""
        SELECT {keys}, COUNT(*), SUM(monetary), SUM(clv_12m), COUNT(clv_12m),
            SUM(CASE WHEN is_at_risk THEN 1 ELSE 0 END), SUM(value_at_risk)
        FROM {table(DashboardCustomer)} {where}
        GROUP BY {keys}
    """


def cell_insert_sql() -> str:
    columns = ", ".join(CELL_KEYS + CELL_VALUES)
    return f"INSERT INTO {table(ScoreCell)} ({columns}) {cell_select_sql(False)}"


def snapshot_insert_sql() -> str:
    """The current month's snapshot: the score cells summed over R and F."""
    return f"""
        INSERT INTO {table(CustomerSnapshot)} (month, scope_owner_id, team_id, grade, stage,
            customers, clv_sum, clv_customers)
        SELECT %s, scope_owner_id, team_id, grade, stage, SUM(customers), SUM(clv_sum),
            SUM(clv_customers)
        FROM {table(ScoreCell)}
        GROUP BY scope_owner_id, team_id, grade, stage
    """


FLOW_KEYS = ("month", "scope_owner_id", "team_id", "from_stage", "to_stage")
FLOW_VALUES = ("changes",)


def flow_select_sql(last_change: int, affected: bool) -> str:
    """Stage changes per local month and (from, to), keyed by the customer's row in
    DashboardCustomer (live customers only), up to stage change `last_change`."""
    month = period_sql(KpiPeriodKind.MONTH, local_date_sql("sc.changed_at"), 0)
    return f"""
        SELECT {month}, d.scope_owner_id, d.team_id, sc.from_stage, sc.to_stage, COUNT(*)
        FROM {table(StageChange)} sc JOIN {table(DashboardCustomer)} d
            ON d.customer_id = sc.customer_id
        WHERE sc.id <= {int(last_change)}{_only_affected("sc.customer_id", affected)}
        GROUP BY {month}, d.scope_owner_id, d.team_id, sc.from_stage, sc.to_stage
    """


def flow_insert_sql(last_change: int) -> str:
    columns = ", ".join(FLOW_KEYS + FLOW_VALUES)
    return f"INSERT INTO {table(StageFlowMonth)} ({columns}) {flow_select_sql(last_change, False)}"
