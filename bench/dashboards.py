"""Time the analytics dashboards: the full and the incremental refresh of their
pre-aggregated tables, and whole dashboard requests (rep / manager / company, the
default period and a custom range, the page and the API), on SQLite and PostgreSQL.

    python -m bench.dashboards --customers 20000 --orders 200000
    python -m bench.dashboards --customers 200000 --orders 2000000 \\
        --work-dir /tmp/gx/dash-small --pg-database gx_dash_bench   # load, score, time
    python -m bench.dashboards --skip-load --work-dir /tmp/gx/bench-full \\
        --pg-database gx_full_bench                      # time the full-size set

Data comes from bench.reports' loader (`load_dataset`: customers over 8 teams of
25 reps, orders shaped by --order-shape, follow-ups, opportunities), then the real
scoring (`scores_compute`) gives grades, stages, RFM, CLV and the stage history.
With --skip-load nothing is generated; scoring runs only when no score exists yet
(or with --score). The manager (`bench-manager`, role manager on the top team: the
whole company through "team and sub-teams", the heaviest team view) is created when
missing. Refresh: the full rewrite (--refresh-repeat times), then for each count
in --changed an incremental refresh after that many customers were rescored (their
scores' computed_at moved to now, spread over the id range). Requests go through
Django's test Client (middleware, view, selectors, template), wall and process CPU
p50/p95 over --repeat runs after 3 warm-ups, with their query count; the load
average is printed around them (the box is shared). Each backend runs in a child
process. Target (issue 6): every dashboard < 500 ms at 1,000,000 customers and
10,000,000 orders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    PG_SERVER,
    PROJECT_DIR,
    backend_env,
    measure_wall_and_cpu,
    peak_rss_mb,
    run_child,
)

DEFAULT_WORK_DIR = "/tmp/guanxi-bench-dashboards"
PG_DATABASE = "gx_dash_bench"
TARGET_MS = 500.0


def _manager() -> Any:
    from guanxi.accounts.models import Team, User
    from guanxi.accounts.selectors import role_by_code

    manager = User.objects.filter(username="bench-manager").first()
    if manager is None:
        top = Team.objects.order_by("depth", "pk").first()
        manager = User.objects.create(
            username="bench-manager", display_name="经理", team=top, role=role_by_code("manager")
        )
    return manager


def _timed(function: Any) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "loadavg": [round(v, 2) for v in os.getloadavg()],
        "mode": result.mode,
        "customers": result.customers,
        "rows": result.rows,
    }


def _refreshes(args: argparse.Namespace) -> dict[str, Any]:
    from django.db.models import Max, Min
    from django.utils import timezone

    from guanxi.analytics.dashboards.services import dashboard_tables_refresh
    from guanxi.analytics.models import CustomerScore

    report: dict[str, Any] = {}
    for run in range(args.refresh_repeat):
        report[f"full {run + 1}"] = _timed(dashboard_tables_refresh)
    bounds = CustomerScore.objects.aggregate(low=Min("customer_id"), high=Max("customer_id"))
    for count in [int(value) for value in args.changed.split(",") if value.strip()]:
        step = max(1, (bounds["high"] - bounds["low"]) // max(count, 1))
        ids = list(range(bounds["low"], bounds["high"] + 1, step))[:count]
        for start in range(0, len(ids), 900):
            CustomerScore.objects.filter(customer_id__in=ids[start : start + 900]).update(
                computed_at=timezone.now()
            )
        report[f"incremental, {count:,} rescored"] = _timed(
            lambda: dashboard_tables_refresh(incremental=True)
        )
    return report


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.analytics.models import CustomerScore, DashboardRefresh
    from guanxi.analytics.scoring import scores_compute
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Order

    report: dict[str, Any] = {"backend": connection.vendor}
    if not args.skip_load:
        from bench.reports import load_dataset

        report["load_seconds"] = load_dataset(
            customers=args.customers,
            orders=args.orders,
            opportunities=args.opportunities,
            order_shape=args.order_shape,
            interactions=args.interactions,
        )
    call_command("migrate", "--no-input", verbosity=0)
    if args.score or not CustomerScore.objects.exists():
        clock = time.perf_counter()
        scores_compute()
        report["scoring_seconds"] = round(time.perf_counter() - clock, 2)
    report["customers"] = Customer.objects.count()
    report["orders"] = Order.objects.count()
    manager = _manager()
    if not args.no_refresh or not DashboardRefresh.objects.filter(stage_change_id__isnull=False):
        report["refresh"] = _refreshes(args)
    report["peak_rss_mb_after_refresh"] = peak_rss_mb()

    # No collectstatic: plain static URLs (the manifest storage needs one).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]).enable()
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    rep = User.objects.get(username="rep0_0")
    today = timezone.localdate()
    first = dt.date(today.year - 1, today.month, 1)
    custom = {"preset": "custom", "date_from": first.isoformat(), "date_to": today.isoformat()}
    api_custom = {"preset": "custom", "from": first.isoformat(), "to": today.isoformat()}
    page = reverse("analytics:dashboard")
    timings: dict[str, Any] = {}
    queries: dict[str, Any] = {}
    report["loadavg_start"] = [round(v, 2) for v in os.getloadavg()]
    for label, user, view in (
        ("admin", admin, "company"),
        ("manager", manager, "team"),
        ("rep", rep, "mine"),
    ):
        client = Client()
        client.force_login(user)
        requests = {
            f"page {view}, default period ({label})": (page, {"view": view}),
            f"page {view}, custom 13 months ({label})": (page, {"view": view, **custom}),
            f"api dashboards/{view} ({label})": (f"/api/v1/analytics/dashboards/{view}", {}),
            f"api dashboards/{view} custom ({label})": (
                f"/api/v1/analytics/dashboards/{view}",
                api_custom,
            ),
        }
        for name, (path, params) in requests.items():

            def get(client: Client = client, path: str = path, params: dict = params) -> None:
                response = client.get(path, params)
                if response.status_code != 200:
                    raise SystemExit(f"{path} {params}: HTTP {response.status_code}")

            with CaptureQueriesContext(connection) as captured:
                get()
            slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
            queries[name] = {
                "count": len(captured.captured_queries),
                "slowest": [
                    {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:240]}
                    for q in slowest
                ],
            }
            timings[name] = measure_wall_and_cpu(get, repeat=args.repeat)
    report["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    report["timings"] = timings
    report["queries"] = queries
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report, ensure_ascii=False, default=str))


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n== {report['backend']}: {report['customers']:,} customers, "
        f"{report['orders']:,} orders =="
    )
    for key in ("load_seconds", "scoring_seconds"):
        if key in report:
            print(f"{key}: {report[key]}")
    for name, run in report.get("refresh", {}).items():
        print(
            f"refresh {name}: {run['wall_s']} s wall, {run['cpu_s']} s CPU, mode {run['mode']}, "
            f"{run['customers']:,} customers, load {run['loadavg']}, rows {run['rows']}"
        )
    print(f"load average {report['loadavg_start']} -> {report['loadavg_end']}")
    print(f"{'request':48} {'p50':>7} {'p95':>7} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8}")
    for name, timing in report["timings"].items():
        mark = "" if timing["p95_ms"] < TARGET_MS else " !"
        print(
            f"{name:48} {timing['p50_ms']:7.0f} {timing['p95_ms']:7.0f} "
            f"{timing['cpu_p50_ms']:8.0f} {timing['cpu_p95_ms']:8.0f} "
            f"{report['queries'][name]['count']:8}{mark}"
        )
    print(f"peak RSS {report['peak_rss_mb']} MB; target p95 < {TARGET_MS:.0f} ms ('!' = missed)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--opportunities", type=int, default=2_000)
    parser.add_argument("--interactions", type=int, default=0)
    parser.add_argument("--order-shape", choices=("season", "lifetimes"), default="lifetimes")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--refresh-repeat", type=int, default=1, help="full rewrites to time")
    parser.add_argument(
        "--changed", default="1000,10000", help="rescored customers per incremental refresh"
    )
    parser.add_argument("--no-refresh", action="store_true", help="time the requests only")
    parser.add_argument("--work-dir", default=os.environ.get("GUANXI_BENCH_DIR", DEFAULT_WORK_DIR))
    parser.add_argument("--data-dir", help="GUANXI_DATA_DIR of an existing data set")
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument("--database-url", help="time an existing database (with --skip-load)")
    parser.add_argument("--pg-server", default=PG_SERVER)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--score", action="store_true", help="run the scoring first")
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        env = backend_env(
            backend,
            work_dir=Path(args.data_dir or Path(args.work_dir) / backend),
            database_url=args.database_url or f"{args.pg_server}/{args.pg_database}",
            is_fresh=not args.skip_load,
        )
        report = run_child("bench.dashboards", sys.argv[1:], env, backend)
        print_report(report)
        results.append(report)
    out = args.out or PROJECT_DIR / "bench" / "results" / "dashboards.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
