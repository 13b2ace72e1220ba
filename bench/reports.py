"""Time the sales reports (trend, funnel, forecast) and the SalesMonth refresh on a
generated data set, on SQLite and PostgreSQL.

    python -m bench.reports --customers 20000 --orders 100000 --opportunities 5000
    python -m bench.reports --customers 1000000 --orders 3500000 --lines-per-order 3 \\
        --opportunities 200000                       # the issue's size (10M lines)
    python -m bench.reports --backends sqlite --skip-load   # re-time an existing set

Data is written straight into the tables (set-based INSERT … SELECT over a row
generator: recursive CTE on SQLite, generate_series on PostgreSQL), not through
the services: customers (bulk_create), orders over 5 years with a yearly season,
optional order lines, opportunities of the default pipeline with stage history.
SQLite lives in --work-dir; PostgreSQL in database `gx_reports_bench` (dropped and
re-created on load). Each backend runs in a child process with its own settings.
Prints p50/p95 per report in ms; the reports read SalesMonth (past months) and
the live current month, so order lines only make the database realistic in size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, measure, pg_recreate

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


def _load(args: argparse.Namespace) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.accounts.models import Team, User
    from guanxi.accounts.selectors import role_by_code
    from guanxi.accounts.services import builtin_roles_ensure
    from guanxi.customers.models import Customer
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
    batch = 5000
    for start in range(0, args.customers, batch):
        Customer.objects.bulk_create(
            Customer(
                kind="company",
                name=f"客户{number}",
                owner_id=reps[number % len(reps)][0],
                team_id=reps[number % len(reps)][1],
                search_text=f"客户{number}",
            )
            for number in range(start, min(start + batch, args.customers))
        )
    seconds["customers"] = time.perf_counter() - clock

    vendor = connection.vendor
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        low, high = cursor.fetchone()
    span = high - low + 1
    clock = time.perf_counter()
    if vendor == "postgresql":
        day = f"(DATE '{today.isoformat()}' - (((x * 7919) % {HISTORY_DAYS}))::int)"
        now = "now() - interval '1 day'"
    else:
        day = f"date('{today.isoformat()}', '-' || ((x * 7919) % {HISTORY_DAYS}) || ' days')"
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day')"
    status = (
        "CASE WHEN x % 20 = 0 THEN 'cancelled' WHEN x % 33 = 0 THEN 'refunded' "
        "WHEN x % 50 = 0 THEN 'draft' WHEN x % 3 = 0 THEN 'completed' ELSE 'confirmed' END"
    )
    # A yearly season: more in the months (x*7919 mod 365) near the year's end.
    total = f"(100 + ((x * 104729) % 200000) / 10.0 + ((x * 7919) % {HISTORY_DAYS} % 365) * 2)"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sales_order (created_at, updated_at, version, number, customer_id, "
            "order_date, status, owner_id, total, cost, profit, notes) "
            f"SELECT {now}, {now}, 1, 'BO' || x, c.id, {day}, {status}, c.owner_id, "
            f"{total}, {total} * 0.6, {total} * 0.4, '' "
            f"FROM {_sequence_sql(vendor, args.orders)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 48271) % {span}"
        )
    seconds["orders"] = time.perf_counter() - clock
    if args.lines_per_order:
        from guanxi.sales.models import Product

        product = Product.objects.create(sku="BENCH-1", name="基准产品", list_price=100)
        clock = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for position in range(args.lines_per_order):
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
            f"FROM {_sequence_sql(vendor, args.opportunities)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 16807) % {span}"
        )
        cursor.execute(
            "INSERT INTO deals_stagehistory (opportunity_id, to_stage_id, from_stage_name, "
            "to_stage_name, changed_at, seconds_in_previous) "
            "SELECT id, stage_id, '', '', created_at, 0 FROM deals_opportunity"
        )
    seconds["opportunities"] = time.perf_counter() - clock
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {key: round(value, 1) for key, value in seconds.items()}


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
        report["load_seconds"] = _load(args)
    report["orders"] = Order.objects.count()
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
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    work_dir = Path(args.work_dir) / backend
    if backend == "sqlite":
        if not args.skip_load and work_dir.exists():
            for path in work_dir.glob("*.sqlite3*"):
                path.unlink()
        work_dir.mkdir(parents=True, exist_ok=True)
        env.pop("DATABASE_URL", None)
    else:
        work_dir.mkdir(parents=True, exist_ok=True)
        if not args.skip_load:
            pg_recreate(PG_DATABASE, args.pg_server)
        env["DATABASE_URL"] = f"{args.pg_server}/{PG_DATABASE}"
    env["GUANXI_DATA_DIR"] = str(work_dir)
    # One BLAS thread: the forecast's small fits are 10-30x slower with OpenBLAS
    # threads fighting over a busy machine (docs/reports.md; deployment should set it).
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["GUANXI_SECRET_KEY"] = env.get("GUANXI_SECRET_KEY", "bench-reports-not-secret")
    command = [sys.executable, "-m", "bench.reports", "--child", *sys.argv[1:]]
    output = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, check=True, stdout=subprocess.PIPE
    ).stdout.decode()
    return json.loads(output.strip().splitlines()[-1])


def print_report(report: dict[str, Any]) -> None:
    print(f"\n== {report['backend']}: {report['orders']:,} orders ==")
    if "load_seconds" in report:
        print("load (s):", report["load_seconds"])
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
