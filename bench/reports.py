"""Time the sales reports (trend, funnel, forecast) and the SalesMonth refresh on a
generated data set, on SQLite and PostgreSQL.

    python -m bench.reports --customers 20000 --orders 100000 --opportunities 5000
    python -m bench.reports --customers 1000000 --orders 3500000 --lines-per-order 3 \\
        --opportunities 200000                       # the issue's size (10M lines)
    python -m bench.reports --backends sqlite --skip-load   # re-time an existing set
    python -m bench.reports --customers 1000000 --orders 10000000 --lines-per-order 1 \\
        --opportunities 200000 --order-shape lifetimes --interactions 1000000 \\
        --hero-orders 500 --work-dir /tmp/gx/bench-full --pg-database gx_full_bench \\
        --load-only                # the one set bench.scoring and bench.customer360 time

Data is written straight into the tables (set-based INSERT … SELECT over a row
generator: recursive CTE on SQLite, generate_series on PostgreSQL), not through
the services: customers (bulk_create), orders over 5 years with a yearly season,
optional order lines, opportunities of the default pipeline with stage history.
SQLite lives in --work-dir; PostgreSQL in database `gx_reports_bench` (dropped and
re-created on load). Each backend runs in a child process with its own settings.
Prints p50/p95 per report in ms; the reports read SalesMonth (past months) and
the live current month, so order lines only make the database realistic in size.

--order-shape lifetimes dates each customer's orders in an active window of its own
(some still buying, some dropped out long ago), with 3 % refunded orders, 1 % credit
notes and 0.2 % dated in the future, as bench.scoring needs for the BG/NBD fit;
--interactions adds follow-ups over the last two years; --hero-orders N gives the
first customer (owned by rep0_0) N more orders of two lines, 200 interactions, tasks,
meetings, quotes, opportunities and a contract, for the customer 360 page
(bench.customer360). --load-only stops after loading.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, backend_env, measure, run_child

DEFAULT_WORK_DIR = "/tmp/guanxi-bench-reports"
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "gx_reports_bench"
TEAMS = 8
REPS_PER_TEAM = 25
HISTORY_DAYS = 5 * 365


# --- loading (child) ---------------------------------------------------------------


def _sequence_sql(vendor: str, count: int) -> str:
    """A FROM clause yielding x = 1..count."""
    if vendor == "postgresql":
        return f"generate_series(1::bigint, {count}) AS seq(x)"
    return (
        f"(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq "
        f"WHERE x < {count}) SELECT x FROM seq) AS seq"
    )


def _order_expressions(shape: str, vendor: str, today: str, span: int) -> dict[str, str]:
    """SQL for an order's day, status, total and timestamps from the row number x and
    its customer c (see the module docstring for the two shapes)."""
    if vendor == "postgresql":
        now = "now() - interval '2 day'"
    else:
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 day')"
    if shape == "lifetimes":
        # The customer's active window ends (c.id * 7919) % 700 days ago; the order
        # falls in the 400 days before that end; 0.2 % are up to 30 days in the future.
        offset = f"(((c.id * 7919) % 700) + (((x * 104729) / {span}) % 400))"
        if vendor == "postgresql":
            day = (
                f"(CASE WHEN x % 500 = 0 THEN DATE '{today}' + (x % 30)::int "
                f"ELSE DATE '{today}' - ({offset})::int END)"
            )
        else:
            day = (
                f"(CASE WHEN x % 500 = 0 THEN date('{today}', '+' || (x % 30) || ' days') "
                f"ELSE date('{today}', '-' || {offset} || ' days') END)"
            )
        return {
            "day": day,
            "now": now,
            "status": "CASE WHEN x % 33 = 0 THEN 'refunded' ELSE 'confirmed' END",
            "total": (
                "(CASE WHEN x % 100 = 0 THEN -50 ELSE 20 + (c.id % 50) * 8 + (x * 7) % 300 END)"
            ),
        }
    if vendor == "postgresql":
        day = f"(DATE '{today}' - (((x * 7919) % {HISTORY_DAYS}))::int)"
    else:
        day = f"date('{today}', '-' || ((x * 7919) % {HISTORY_DAYS}) || ' days')"
    return {
        "day": day,
        "now": now,
        "status": (
            "CASE WHEN x % 20 = 0 THEN 'cancelled' WHEN x % 33 = 0 THEN 'refunded' "
            "WHEN x % 50 = 0 THEN 'draft' WHEN x % 3 = 0 THEN 'completed' ELSE 'confirmed' END"
        ),
        # A yearly season: more in the months (x*7919 mod 365) near the year's end.
        "total": (
            f"(100 + ((x * 104729) % 200000) / 10.0 + ((x * 7919) % {HISTORY_DAYS} % 365) * 2)"
        ),
    }


@contextlib.contextmanager
def _bulk_load(tables: list[str]) -> Iterator[None]:
    """Load `tables` the way a bulk load should: their secondary indexes (and on
    PostgreSQL their unique constraints) dropped before and rebuilt after, by one
    sort each instead of 10,000,000 random inserts into 15 B-trees; on PostgreSQL
    foreign-key triggers off (`session_replication_role`; the generator only points
    at rows that exist) and a big `maintenance_work_mem`; a 1 GB SQLite page cache."""
    from django.db import connection

    rebuild: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for table in tables:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'u'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexname NOT IN (SELECT conindid::regclass::text FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND conindid <> 0)",
                    [table, table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    rebuild.append(definition)
        else:
            cursor.execute("PRAGMA cache_size = -1000000")
            for table in tables:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    rebuild.append(definition)
    yield
    with connection.cursor() as cursor:
        for statement in rebuild:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def load_dataset(
    *,
    customers: int,
    orders: int,
    lines_per_order: int = 0,
    opportunities: int = 0,
    order_shape: str = "season",
    interactions: int = 0,
    hero_orders: int = 0,
) -> dict[str, float]:
    """Migrate an empty database and fill it (the module docstring says with what);
    seconds per step. Shared by bench.reports, bench.report_builder and
    bench.dashboards; it also loads the full-size set bench.scoring and
    bench.customer360 time (--load-only)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.accounts.models import Team, User
    from guanxi.accounts.selectors import role_by_code
    from guanxi.accounts.services import builtin_roles_ensure
    from guanxi.deals.services import pipeline_ensure_default

    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - clock
    builtin_roles_ensure()
    sales_role = role_by_code("sales")
    clock = time.perf_counter()
    root = Team.objects.create(name="总公司", path="/", depth=0)
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    reps: list[tuple[int, int]] = []
    for team_index in range(TEAMS):
        team = Team.objects.create(name=f"销售{team_index + 1}组", parent=root, depth=1, path="")
        team.path = f"{root.path}{team.pk}/"
        team.save(update_fields=["path"])
        users = User.objects.bulk_create(
            User(
                username=f"rep{team_index}_{index}",
                display_name=f"销售{team_index}-{index}",
                team=team,
                role=sales_role,
            )
            for index in range(REPS_PER_TEAM)
        )
        reps += [(user.pk, team.pk) for user in users]
    User.objects.create_superuser(username="bench-admin", password="Bench-admin-pw-2026")
    vendor = connection.vendor
    rep_case = " ".join(f"WHEN {index} THEN {user}" for index, (user, _team) in enumerate(reps))
    team_case = " ".join(f"WHEN {index} THEN {team}" for index, (_user, team) in enumerate(reps))
    now_sql = "now()" if vendor == "postgresql" else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    with transaction.atomic(), _bulk_load(["customers_customer"]), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customer (created_at, updated_at, version, "
            "birthday_calendar, lunar_birthday_is_leap_month, search_text, sort_name, kind, "
            "name, name_pinyin, short_name, industry, source, grade, lifecycle_stage, owner_id, "
            "team_id, phones, emails, wechat_id, province, city, district, street, "
            "preferred_channel, language, time_zone, notes, custom_fields) "
            f"SELECT {now_sql}, {now_sql}, 1, 'solar', FALSE, '客户' || (x - 1), "
            "'客户' || (x - 1), 'company', '客户' || (x - 1), '', '', '', '', '', 'prospect', "
            f"CASE ((x - 1) % {len(reps)}) {rep_case} END, "
            f"CASE ((x - 1) % {len(reps)}) {team_case} END, "
            "'[]', '[]', '', '', '', '', '', '', 'zh-hans', 'Asia/Shanghai', '', '{}' "
            f"FROM {_sequence_sql(vendor, customers)} ORDER BY x"
        )
    seconds["customers"] = time.perf_counter() - clock

    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        low, high = cursor.fetchone()
    span = high - low + 1
    sql = _order_expressions(order_shape, vendor, today.isoformat(), span)
    clock = time.perf_counter()
    with transaction.atomic(), _bulk_load(["sales_order"]), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sales_order (created_at, updated_at, version, number, customer_id, "
            "order_date, status, owner_id, total, cost, profit, notes) "
            f"SELECT {sql['now']}, {sql['now']}, 1, 'BO' || x, c.id, {sql['day']}, "
            f"{sql['status']}, c.owner_id, {sql['total']}, {sql['total']} * 0.6, "
            f"{sql['total']} * 0.4, '' "
            f"FROM {_sequence_sql(vendor, orders)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 48271) % {span}"
        )
    seconds["orders"] = time.perf_counter() - clock
    if lines_per_order:
        from guanxi.sales.models import Product

        product = Product.objects.create(sku="BENCH-1", name="基准产品", list_price=100)
        clock = time.perf_counter()
        with (
            transaction.atomic(),
            _bulk_load(["sales_orderline"]),
            connection.cursor() as cursor,
        ):
            for position in range(lines_per_order):
                cursor.execute(
                    "INSERT INTO sales_orderline (order_id, position, product_id, quantity, "
                    "unit_price, discount_percent, unit_cost, line_total, line_cost) "
                    f"SELECT id, {position}, {product.pk}, 1, total, 0, cost, total, cost "
                    "FROM sales_order"
                )
        seconds["order_lines"] = time.perf_counter() - clock

    pipeline = pipeline_ensure_default()
    stages = list(pipeline.stages.order_by("order"))
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    choice = " ".join(
        f"WHEN {index} THEN {stage.pk}" for index, stage in enumerate([*open_stages, won, lost])
    )
    kinds = len(open_stages) + 2
    stage_expr = f"CASE (x % {kinds}) {choice} END"
    status_expr = (
        f"CASE (x % {kinds}) WHEN {kinds - 2} THEN 'won' WHEN {kinds - 1} THEN 'lost' "
        "ELSE 'open' END"
    )
    if vendor == "postgresql":
        created = "(now() - ((x % 700) || ' days')::interval)"
        close = "(CURRENT_DATE + (x % 200)::int)"
    else:
        created = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (x % 700) || ' days')"
        close = "date('now', '+' || (x % 200) || ' days')"
    clock = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO deals_opportunity (created_at, updated_at, version, title, customer_id, "
            "pipeline_id, stage_id, amount, currency, expected_close_on, owner_id, team_id, "
            "competitors, next_step, notes, status, lost_reason, position) "
            f"SELECT {created}, {created}, 1, '商机' || x, c.id, {pipeline.pk}, {stage_expr}, "
            f"1000 + (x * 7919) % 500000, 'CNY', {close}, c.owner_id, c.team_id, '', '', '', "
            f"{status_expr}, '', x "
            f"FROM {_sequence_sql(vendor, opportunities)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 16807) % {span}"
        )
        cursor.execute(
            "INSERT INTO deals_stagehistory (opportunity_id, to_stage_id, from_stage_name, "
            "to_stage_name, changed_at, seconds_in_previous) "
            "SELECT id, stage_id, '', '', created_at, 0 FROM deals_opportunity"
        )
    seconds["opportunities"] = time.perf_counter() - clock
    if interactions:
        clock = time.perf_counter()
        _load_interactions(interactions, vendor, low, span)
        seconds["interactions"] = time.perf_counter() - clock
    if hero_orders:
        clock = time.perf_counter()
        _load_hero(hero_orders, low)
        seconds["hero_customer"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as autovacuum does on a live database some time after
        # a bulk load; without the visibility map an index-only scan reads the heap
        # for every row (scoring's order aggregate: 110 s instead of ~40 s).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    seconds["analyze"] = time.perf_counter() - clock
    return {key: round(value, 1) for key, value in seconds.items()}


def _load_interactions(count: int, vendor: str, low: int, span: int) -> None:
    """`count` follow-ups over the last 700 days, by each customer's owner."""
    from django.db import connection, transaction

    kinds = ("call", "wechat", "visit", "email", "note", "meeting")
    kind = "CASE (x % 6) " + " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(kinds)) + " END"
    if vendor == "postgresql":
        occurred = "(now() - ((x * 7919) % 1008000) * interval '1 minute')"
    else:
        occurred = (
            "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((x * 7919) % 1008000) || ' minutes')"
        )
    with (
        transaction.atomic(),
        _bulk_load(["customers_interaction"]),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO customers_interaction (created_at, updated_at, version, customer_id, "
            "kind, occurred_at, author_id, content, is_follow_up_done) "
            f"SELECT {occurred}, {occurred}, 1, c.id, {kind}, {occurred}, c.owner_id, "
            f"'跟进记录' || x, FALSE FROM {_sequence_sql(vendor, count)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 69621) % {span}"
        )


def _load_hero(orders: int, customer_id: int) -> None:
    """The customer of the 360 page: `orders` more orders of two lines each, 200
    interactions, 30 tasks, 5 meetings, 4 quotes, 12 opportunities and a signed
    contract with three instalments (one overdue), written with the ORM in bulk."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from guanxi.activities.models import Meeting, Task
    from guanxi.contracts.models import Contract, PaymentPlan
    from guanxi.customers.models import Customer, Interaction
    from guanxi.deals.models import Opportunity, Pipeline
    from guanxi.sales.models import Order, OrderLine, Product, Quote

    customer = Customer.objects.get(pk=customer_id)
    customer.name = "基准360客户科技有限公司"
    customer.save(update_fields=["name"])
    owner_id, team_id = customer.owner_id, customer.team_id
    now = timezone.now()
    today = timezone.localdate()
    product = Product.objects.filter(sku="BENCH-1").first() or Product.objects.create(
        sku="BENCH-1", name="基准产品", list_price=100
    )
    statuses = ("confirmed", "completed", "confirmed", "refunded", "cancelled")
    with transaction.atomic():
        made = Order.objects.bulk_create(
            Order(
                number=f"HERO{n:04d}",
                customer_id=customer_id,
                order_date=today - dt.timedelta(days=(n * 7) % 1400),
                status=statuses[n % len(statuses)],
                owner_id=owner_id,
                total=Decimal(200 + n),
                cost=Decimal(120 + n),
                profit=Decimal(80),
                created_at=now,
                updated_at=now,
            )
            for n in range(orders)
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order_id=order.pk,
                position=position,
                product_id=product.pk,
                quantity=1,
                unit_price=order.total / 2,
                discount_percent=0,
                unit_cost=order.cost / 2,
                line_total=order.total / 2,
                line_cost=order.cost / 2,
            )
            for order in made
            for position in (0, 1)
        )
        Interaction.objects.bulk_create(
            Interaction(
                customer_id=customer_id,
                kind=("call", "wechat", "visit", "note")[n % 4],
                occurred_at=now - dt.timedelta(hours=37 * n + 1),
                author_id=owner_id,
                content=f"第{n}次跟进：讨论续约与新需求",
                next_follow_up_on=today + dt.timedelta(days=3) if n == 0 else None,
                created_at=now,
                updated_at=now,
            )
            for n in range(200)
        )
        Task.objects.bulk_create(
            Task(
                title=f"回访任务{n}",
                assignee_id=owner_id,
                due_on=today + dt.timedelta(days=n - 10),
                status="done" if n % 3 == 0 else "open",
                customer_id=customer_id,
                created_by_id=owner_id,
                created_at=now,
                updated_at=now,
            )
            for n in range(30)
        )
        Meeting.objects.bulk_create(
            Meeting(
                title=f"季度会议{n}",
                starts_at=now + dt.timedelta(days=7 * n - 14),
                ends_at=now + dt.timedelta(days=7 * n - 14, hours=1),
                customer_id=customer_id,
                organiser_id=owner_id,
                created_by_id=owner_id,
                created_at=now,
                updated_at=now,
            )
            for n in range(5)
        )
        Quote.objects.bulk_create(
            Quote(
                number=f"HEROQ{n}",
                customer_id=customer_id,
                title=f"报价{n}",
                owner_id=owner_id,
                issued_on=today - dt.timedelta(days=30 * n),
                valid_until=today + dt.timedelta(days=30 - 30 * n),
                total=Decimal(10000 + n),
                subtotal=Decimal(10000 + n),
                created_at=now,
                updated_at=now,
            )
            for n in range(4)
        )
        pipeline = Pipeline.objects.order_by("id").first()
        stages = list(pipeline.stages.order_by("order"))
        Opportunity.objects.bulk_create(
            Opportunity(
                title=f"360商机{n}",
                customer_id=customer_id,
                pipeline_id=pipeline.pk,
                stage_id=stages[n % len(stages)].pk,
                amount=Decimal(50000 + n * 1000),
                expected_close_on=today + dt.timedelta(days=10 * n),
                owner_id=owner_id,
                team_id=team_id,
                status=stages[n % len(stages)].kind,
                position=n,
                created_at=now,
                updated_at=now,
            )
            for n in range(12)
        )
        contract = Contract.objects.create(
            number="HEROC1",
            title="年度框架合同",
            customer_id=customer_id,
            owner_id=owner_id,
            team_id=team_id,
            amount=Decimal(300000),
            planned_amount=Decimal(300000),
            received_amount=Decimal(100000),
            start_on=today - dt.timedelta(days=200),
            end_on=today + dt.timedelta(days=165),
            signed_on=today - dt.timedelta(days=200),
            status="signed",
        )
        PaymentPlan.objects.bulk_create(
            PaymentPlan(
                contract=contract,
                sequence=n + 1,
                due_on=today + dt.timedelta(days=120 * n - 150),
                amount=Decimal(100000),
            )
            for n in range(3)
        )


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guanxi.accounts.models import User
    from guanxi.reports import funnel, selectors
    from guanxi.reports.services import sales_month_rebuild, sales_month_refresh
    from guanxi.sales.models import Order

    report: dict[str, Any] = {"backend": connection.vendor}
    if not args.skip_load:
        report["load_seconds"] = load_dataset(
            customers=args.customers,
            orders=args.orders,
            lines_per_order=args.lines_per_order,
            opportunities=args.opportunities,
            order_shape=args.order_shape,
            interactions=args.interactions,
            hero_orders=args.hero_orders,
        )
    report["orders"] = Order.objects.count()
    if args.load_only:
        print(json.dumps(report, ensure_ascii=False))
        return
    clock = time.perf_counter()
    rebuilt = sales_month_rebuild(actor=None)
    report["rebuild_seconds"] = round(time.perf_counter() - clock, 2)
    report["sales_month_rows"] = rebuilt.rows
    # An incremental refresh after 1,000 orders of the last 3 months were edited.
    recent = Order.objects.filter(order_date__gte=rebuilt.refreshed_at.date().replace(day=1))
    touched = list(recent.order_by("-id").values_list("id", flat=True)[:1000])
    Order.objects.filter(pk__in=touched).update(updated_at=rebuilt.refreshed_at)
    clock = time.perf_counter()
    refreshed = sales_month_refresh(actor=None)
    report["incremental_refresh_seconds"] = round(time.perf_counter() - clock, 2)
    report["incremental_months"] = refreshed.months

    admin = User.objects.get(username="bench-admin")
    rep = User.objects.filter(username="rep0_0").select_related("role", "team").get()
    everything = selectors.ReportFilter()
    timings = {
        "trend (admin, 12 months)": lambda: selectors.sales_trend(actor=admin, filters=everything),
        "trend (rep, 12 months)": lambda: selectors.sales_trend(actor=rep, filters=everything),
        "funnel (admin, 12 months)": lambda: funnel.sales_funnel(actor=admin, filters=everything),
        "funnel (rep, 12 months)": lambda: funnel.sales_funnel(actor=rep, filters=everything),
        "forecast (admin)": lambda: selectors.sales_forecast(actor=admin, filters=everything),
        "forecast (rep)": lambda: selectors.sales_forecast(actor=rep, filters=everything),
    }
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)  # manifest storage needs it
    client = Client()
    client.force_login(admin)
    for path in ("/reports/", "/reports/funnel/", "/reports/forecast/"):
        timings[f"page {path} (admin)"] = lambda path=path: client.get(path)
    report["timings"] = {
        name: measure(fn, repeat=args.repeat, warmup=1, digits=1) for name, fn in timings.items()
    }
    print(json.dumps(report, ensure_ascii=False))


# --- parent --------------------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = backend_env(
        backend,
        work_dir=Path(args.work_dir) / backend,
        database_url=f"{args.pg_server}/{args.pg_database}",
        is_fresh=not args.skip_load,
    )
    return run_child("bench.reports", sys.argv[1:], env, backend)


def print_report(report: dict[str, Any]) -> None:
    print(f"\n== {report['backend']}: {report['orders']:,} orders ==")
    if "load_seconds" in report:
        print("load (s):", report["load_seconds"])
    if "timings" not in report:
        return
    print(
        f"rebuild {report['rebuild_seconds']} s ({report['sales_month_rows']:,} rows); "
        f"incremental refresh {report['incremental_refresh_seconds']} s "
        f"({report['incremental_months']} months)"
    )
    print(f"{'report':40} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, timing in report["timings"].items():
        print(f"{name:40} {timing['p50_ms']:9.1f} {timing['p95_ms']:9.1f} {timing['max_ms']:9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--lines-per-order", type=int, default=0)
    parser.add_argument("--opportunities", type=int, default=5_000)
    parser.add_argument("--order-shape", choices=("season", "lifetimes"), default="season")
    parser.add_argument("--interactions", type=int, default=0)
    parser.add_argument("--hero-orders", type=int, default=0)
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument("--load-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--work-dir", default=os.environ.get("GUANXI_BENCH_DIR", DEFAULT_WORK_DIR))
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        report = run_backend(backend, args)
        print_report(report)
        results.append(report)
    out = PROJECT_DIR / "bench" / "results" / "reports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
