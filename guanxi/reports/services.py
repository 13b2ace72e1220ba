"""Refreshing the pre-aggregated sales table (SalesMonth).

Two ways, both set-based (one INSERT … SELECT … GROUP BY in the database, no
rows through Python):
 - `sales_month_rebuild`: empty the table and aggregate every counted order
   (nightly job, `guanxi reports_refresh --full`, the first refresh).
 - `sales_month_refresh`: re-aggregate only the months touched since the last
   refresh: months of orders whose `updated_at` is newer (new, edited, deleted,
   restored, moved by a customer merge), the old month of orders whose date was
   changed (from the audit log) and the months of orders of customers that were
   edited, transferred, deleted or restored since (their owner/team are the
   scope keys). Falls back to a rebuild when too many months are touched.

Reads the sales tables directly: an aggregate over millions of orders cannot go
through the row selectors of guanxi.sales (STYLE rule 20 names the exception).
Counted orders are the ones the 360 page counts (sales.models.COUNTED_STATUSES:
confirmed and completed); drafts, cancelled and refunded orders are left out,
in the month of their order date (an order has no separate refund date).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Func, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.models import AuditEntry
from guanxi.platform.permissions import has_permission
from guanxi.reports.models import ReportRefresh, SalesMonth
from guanxi.reports.permissions import REFRESH_SALES_REPORTS
from guanxi.sales.models import COUNTED_STATUSES, Order

SALES_MONTH = "sales_month"
# More touched months than this: a full rebuild is as cheap and simpler.
MAX_INCREMENTAL_MONTHS = 36
# Look back this much before the last refresh: a transaction that began before it
# may commit rows stamped earlier than the refresh (re-reading a month is cheap).
REFRESH_OVERLAP = dt.timedelta(minutes=10)
_COLUMNS = (
    "month",
    "owner_id",
    "scope_owner_id",
    "team_id",
    "revenue",
    "profit",
    "orders",
    "customers",
)
_ALIASES = tuple(f"k_{name.removesuffix('_id')}" for name in _COLUMNS)


class MonthStart(Func):
    """The first day of a date's month, with each database's native function
    (SQLite's TruncMonth calls back into Python for every row)."""

    output_field = DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(substr({sql}, 1, 7) || '-01')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(date_trunc('month', {sql}) AS date)", params

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return compiler.compile(TruncMonth(self.source_expressions[0], output_field=DateField()))


@dataclass
class RefreshResult:
    is_full: bool
    months: int
    rows: int
    duration_ms: int
    refreshed_at: dt.datetime


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def counted_orders() -> QuerySet[Order]:
    """Orders that count as sales: confirmed or completed, neither they nor their
    customer in the recycle bin."""
    return Order.objects.filter(
        status__in=COUNTED_STATUSES, deleted_at__isnull=True, customer__deleted_at__isnull=True
    )


def grouped_sales(orders: QuerySet[Order]) -> QuerySet[Any]:
    """Sums per month, order owner, customer owner and customer team (aliases k_*)."""
    return (
        orders.annotate(
            k_month=MonthStart("order_date"),
            k_owner=F("owner_id"),
            k_scope_owner=F("customer__owner_id"),
            k_team=F("customer__team_id"),
        )
        .values("k_month", "k_owner", "k_scope_owner", "k_team")
        .annotate(
            k_revenue=Sum("total"),
            k_profit=Sum("profit"),
            k_orders=Count("id"),
            k_customers=Count("customer_id", distinct=True),
        )
        .order_by()
    )


def _insert_grouped(orders: QuerySet[Order]) -> int:
    sql, params = grouped_sales(orders).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _COLUMNS)
    picked = ", ".join(f"grouped.{quote(alias)}" for alias in _ALIASES)
    statement = (
        f"INSERT INTO {quote(SalesMonth._meta.db_table)} ({columns}) "
        f"SELECT {picked} FROM ({sql}) grouped"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _lock_state() -> ReportRefresh:
    """The refresh record, locked: two refreshes at once run one after the other."""
    ReportRefresh.objects.get_or_create(name=SALES_MONTH)
    return ReportRefresh.objects.select_for_update().get(name=SALES_MONTH)


def _require_refresh(actor: Any) -> None:
    if actor is not None and not has_permission(actor, REFRESH_SALES_REPORTS):
        raise PermissionDenied("")


def _finish(
    state: ReportRefresh,
    *,
    actor: Any,
    started: dt.datetime,
    clock: float,
    months: int,
    rows: int,
    is_full: bool,
) -> RefreshResult:
    state.refreshed_at = started
    if is_full:
        state.rebuilt_at = started
    state.duration_ms = int((time.perf_counter() - clock) * 1000)
    state.rows = SalesMonth.objects.count()
    state.months = months
    state.save()
    if actor is None and not is_full:
        # The quarter-hourly system refresh is routine: no audit entry each time.
        return RefreshResult(is_full, months, rows, state.duration_ms, started)
    audit_record(
        actor=actor,
        action="reports.sales_month.rebuilt" if is_full else "reports.sales_month.refreshed",
        instance=state,
        changes={"months": months, "rows": rows, "duration_ms": state.duration_ms},
    )
    return RefreshResult(
        is_full=is_full,
        months=months,
        rows=rows,
        duration_ms=state.duration_ms,
        refreshed_at=started,
    )


@transaction.atomic
def sales_month_rebuild(*, actor: Any = None) -> RefreshResult:
    """Aggregate every counted order afresh. `actor=None` is the system (nightly job).

    The "as of" time is taken before reading, so an order written during the
    rebuild is picked up again by the next incremental refresh.
    """
    _require_refresh(actor)
    clock = time.perf_counter()
    state = _lock_state()
    started = timezone.now()
    SalesMonth.objects.all().delete()
    rows = _insert_grouped(counted_orders())
    months = SalesMonth.objects.values("month").distinct().count()
    return _finish(
        state, actor=actor, started=started, clock=clock, months=months, rows=rows, is_full=True
    )


def _parse_month(value: Any) -> dt.date | None:
    try:
        return month_start(dt.date.fromisoformat(str(value)[:10]))
    except (TypeError, ValueError):
        return None


def touched_months(since: dt.datetime) -> set[dt.date]:
    """Months whose sums may have changed since `since` (see the module docstring)."""
    months: set[dt.date] = set()
    changed_orders = (
        Order.objects.filter(updated_at__gte=since)
        .annotate(month=MonthStart("order_date"))
        .values_list("month", flat=True)
        .order_by()
        .distinct()
    )
    months.update(month_start(month) for month in changed_orders if month is not None)
    for changes in AuditEntry.objects.filter(
        created_at__gte=since, action="sales.order.updated"
    ).values_list("changes", flat=True):
        old_and_new = (changes or {}).get("order_date") if isinstance(changes, dict) else None
        if isinstance(old_and_new, list):
            months.update(m for m in (_parse_month(v) for v in old_and_new) if m is not None)
    customer_ids = {
        int(object_id)
        for object_id in AuditEntry.objects.filter(
            created_at__gte=since, object_type="customers.customer"
        )
        .exclude(action="customers.customer.created")
        .values_list("object_id", flat=True)
        .order_by()
        .distinct()
        if str(object_id).isdigit()
    }
    if customer_ids:
        ids = sorted(customer_ids)
        for start in range(0, len(ids), 500):
            customer_months = (
                Order.objects.filter(customer_id__in=ids[start : start + 500])
                .annotate(month=MonthStart("order_date"))
                .values_list("month", flat=True)
                .order_by()
                .distinct()
            )
            months.update(month_start(month) for month in customer_months if month is not None)
    return months


@transaction.atomic
def sales_month_refresh(*, actor: Any = None, full: bool = False) -> RefreshResult:
    """Bring SalesMonth up to date: the touched months only, or everything when
    `full`, on the first run, or when more than MAX_INCREMENTAL_MONTHS changed."""
    _require_refresh(actor)
    clock = time.perf_counter()
    state = _lock_state()
    if full or state.refreshed_at is None:
        return sales_month_rebuild(actor=actor)
    started = timezone.now()
    months = touched_months(state.refreshed_at - REFRESH_OVERLAP)
    if len(months) > MAX_INCREMENTAL_MONTHS:
        return sales_month_rebuild(actor=actor)
    rows = 0
    if months:
        ranges = Q()
        for month in months:
            ranges |= Q(order_date__gte=month, order_date__lt=add_months(month, 1))
        SalesMonth.objects.filter(month__in=months).delete()
        rows = _insert_grouped(counted_orders().filter(ranges))
    return _finish(
        state,
        actor=actor,
        started=started,
        clock=clock,
        months=len(months),
        rows=rows,
        is_full=False,
    )
