"""Time the analytics dashboards: the refresh of their pre-aggregated tables, each
dashboard page (rep / manager / company), the KPI and dashboard API, and the
drill-down list, on SQLite and PostgreSQL.

    python -m bench.dashboards --customers 20000 --orders 200000
    python -m bench.dashboards --backends sqlite --skip-load       # re-time a set
    python -m bench.dashboards --backends postgresql --skip-load \\
        --database-url postgres://postgres@127.0.0.1:5432/gx_reports_bench \\
        --data-dir /tmp/guanxi-bench-reports/postgresql   # time on another bench's data

The generator (small sizes) writes teams, reps, customers and orders over three
years straight into the tables (INSERT … SELECT over a row generator), then runs
the real scoring (`scores_compute`) so grades, stages, RFM, CLV and the stage
history exist. With --skip-load nothing is generated; scoring runs only when no
score exists yet (or with --score). Each backend runs in a child process.
Prints p50/p95 in ms; `cat /proc/loadavg` is printed too (the box is shared).
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

from bench.common import PG_SERVER, PROJECT_DIR, measure, peak_rss_mb, pg_recreate

DEFAULT_WORK_DIR = "/tmp/guanxi-bench-dashboards"
PG_DATABASE = "gx_dash_bench"
TEAMS = 4
REPS_PER_TEAM = 10
HISTORY_DAYS = 3 * 365


def _sequence_sql(vendor: str, count: int) -> str:
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

    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - clock
    builtin_roles_ensure()
    clock = time.perf_counter()
    root = Team.objects.create(name="总公司", path="/", depth=0)
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    sales = Team.objects.create(name="销售部", parent=root, depth=1, path="")
    sales.path = f"{root.path}{sales.pk}/"
    sales.save(update_fields=["path"])
    User.objects.create(
        username="bench-manager", display_name="经理", team=sales, role=role_by_code("manager")
    )
    reps: list[tuple[int, int]] = []
    for team_index in range(TEAMS):
        team = Team.objects.create(name=f"销售{team_index + 1}组", parent=sales, depth=2, path="")
        team.path = f"{sales.path}{team.pk}/"
        team.save(update_fields=["path"])
        users = User.objects.bulk_create(
            User(
                username=f"rep{team_index}_{index}",
                display_name=f"销售{team_index}-{index}",
                team=team,
                role=role_by_code("sales"),
            )
            for index in range(REPS_PER_TEAM)
        )
        reps += [(user.pk, team.pk) for user in users]
    User.objects.create_superuser(username="bench-admin", password="Bench-admin-pw-2026")
    for start in range(0, args.customers, 5000):
        Customer.objects.bulk_create(
            Customer(
                kind="company",
                name=f"客户{number}",
                owner_id=reps[number % len(reps)][0],
                team_id=reps[number % len(reps)][1],
                search_text=f"客户{number}",
            )
            for number in range(start, min(start + 5000, args.customers))
        )
    seconds["customers"] = time.perf_counter() - clock
    vendor = connection.vendor
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        low, high = cursor.fetchone()
    span = high - low + 1
    # The customer is a square mod the id span: only about half the customers are
    # picked (quadratic residues), so the rest stay prospects without orders.
    if vendor == "postgresql":
        day = f"(DATE '{today.isoformat()}' - (((x * 7919) % {HISTORY_DAYS}))::int)"
        now = "now() - interval '1 day'"
    else:
        day = f"date('{today.isoformat()}', '-' || ((x * 7919) % {HISTORY_DAYS}) || ' days')"
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 day')"
    status = (
        "CASE WHEN x % 20 = 0 THEN 'cancelled' WHEN x % 3 = 0 THEN 'completed' ELSE 'confirmed' END"
    )
    total = "(100 + ((x * 104729) % 200000) / 10.0)"
    clock = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sales_order (created_at, updated_at, version, number, customer_id, "
            "order_date, status, owner_id, total, cost, profit, notes) "
            f"SELECT {now}, {now}, 1, 'DB' || x, c.id, {day}, {status}, c.owner_id, "
            f"{total}, {total} * 0.6, {total} * 0.4, '' "
            f"FROM {_sequence_sql(vendor, args.orders)} "
            f"JOIN customers_customer c ON c.id = {low} + ((x * 48271) % {span}) * "
            f"((x * 48271) % {span}) % {span}"
        )
        cursor.execute("ANALYZE")
    seconds["orders"] = time.perf_counter() - clock
    return {key: round(value, 1) for key, value in seconds.items()}


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from guanxi.accounts.models import User
    from guanxi.analytics.dashboards import selectors as dash
    from guanxi.analytics.dashboards.services import dashboard_tables_refresh
    from guanxi.analytics.models import CustomerScore
    from guanxi.analytics.scoring import scores_compute
    from guanxi.customers.models import Customer
    from guanxi.platform.permissions import has_permission
    from guanxi.sales.models import Order

    report: dict[str, Any] = {"backend": connection.vendor}
    if not args.skip_load:
        report["load_seconds"] = _load(args)
    if args.score or not CustomerScore.objects.exists():
        clock = time.perf_counter()
        scores_compute()
        report["scoring_seconds"] = round(time.perf_counter() - clock, 2)
    report["customers"] = Customer.objects.count()
    report["orders"] = Order.objects.count()
    refresh = measure(dashboard_tables_refresh, repeat=args.refresh_repeat, warmup=0, digits=0)
    report["refresh_ms"] = refresh

    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    manager = (
        User.objects.filter(role__code="manager", is_active=True, team__isnull=False)
        .order_by("pk")
        .first()
    )
    rep_id = (
        Customer.objects.filter(owner__role__code="sales", deleted_at__isnull=True)
        .values_list("owner_id", flat=True)
        .first()
    )
    rep = User.objects.get(pk=rep_id) if rep_id else None
    people = [("admin", admin, "company"), ("manager", manager, "team"), ("rep", rep, "mine")]
    timings: dict[str, Any] = {}
    from django.core.management import call_command

    call_command("collectstatic", "--no-input", verbosity=0)  # manifest storage needs it
    for label, user, view in people:
        if user is None or not has_permission(user, "analytics.view_scores"):
            continue
        client = Client()
        client.force_login(user)
        for preset in ("this_month", "last_12_months"):
            timings[f"page {view} {preset} ({label})"] = (
                lambda client=client, view=view, preset=preset: _ok(
                    client.get(reverse("analytics:dashboard"), {"view": view, "preset": preset})
                )
            )
        timings[f"api kpis {view} this_year ({label})"] = lambda client=client, view=view: _ok(
            client.get("/api/v1/analytics/kpis", {"view": view, "preset": "this_year"})
        )
        timings[f"api dashboards/{view} ({label})"] = lambda client=client, view=view: _ok(
            client.get(f"/api/v1/analytics/dashboards/{view}")
        )
        timings[f"drill-down grade A ({label})"] = lambda client=client, view=view: _ok(
            client.get(reverse("analytics:dashboard_customers"), {"view": view, "grade": "A"})
        )
        scope = dash.resolve_scope(actor=user, view=view, team_id=None)
        period = dash.resolve_period(preset="last_12_months")
        timings[f"selector dashboard_get {view} ({label})"] = lambda scope=scope, period=period: (
            dash.dashboard_get(scope=scope, period=period)
        )
    report["timings"] = {
        name: measure(fn, repeat=args.repeat, warmup=2, digits=1) for name, fn in timings.items()
    }
    report["peak_rss_mb"] = peak_rss_mb()
    with open("/proc/loadavg") as handle:
        report["loadavg"] = handle.read().strip()
    print(json.dumps(report, ensure_ascii=False))


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code}: {response.content[:300]!r}")
    return response


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    work_dir = Path(args.data_dir or Path(args.work_dir) / backend)
    work_dir.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    elif backend == "sqlite":
        if not args.skip_load:
            for path in work_dir.glob("*.sqlite3*"):
                path.unlink()
        env.pop("DATABASE_URL", None)
    else:
        if not args.skip_load:
            pg_recreate(PG_DATABASE, args.pg_server)
        env["DATABASE_URL"] = f"{args.pg_server}/{PG_DATABASE}"
    env["GUANXI_DATA_DIR"] = str(work_dir)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.pop("GUANXI_REDIS_URL", None)
    env["GUANXI_SECRET_KEY"] = env.get("GUANXI_SECRET_KEY", "bench-dashboards-not-secret")
    command = [sys.executable, "-m", "bench.dashboards", "--child", *sys.argv[1:]]
    output = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, check=True, stdout=subprocess.PIPE
    ).stdout.decode()
    return json.loads(output.strip().splitlines()[-1])


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n== {report['backend']}: {report['customers']:,} customers, "
        f"{report['orders']:,} orders (load average {report['loadavg']}) =="
    )
    if "load_seconds" in report:
        print("load (s):", report["load_seconds"])
    if "scoring_seconds" in report:
        print(f"scoring {report['scoring_seconds']} s")
    refresh = report["refresh_ms"]
    print(
        f"dashboard_tables_refresh p50 {refresh['p50_ms']:.0f} ms, max {refresh['max_ms']:.0f} ms"
    )
    print(f"{'request':52} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for name, timing in report["timings"].items():
        print(f"{name:52} {timing['p50_ms']:9.1f} {timing['p95_ms']:9.1f} {timing['max_ms']:9.1f}")
    print(f"peak RSS {report['peak_rss_mb']} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--refresh-repeat", type=int, default=3)
    parser.add_argument("--work-dir", default=os.environ.get("GUANXI_BENCH_DIR", DEFAULT_WORK_DIR))
    parser.add_argument("--data-dir", help="GUANXI_DATA_DIR of an existing data set")
    parser.add_argument("--database-url", help="time an existing database (with --skip-load)")
    parser.add_argument("--pg-server", default=PG_SERVER)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--score", action="store_true", help="run the scoring first")
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
    out = PROJECT_DIR / "bench" / "results" / "dashboards.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
