"""Time the nightly scoring run (`analytics.scoring.scores_compute`: RFM, BG/NBD and
Gamma-Gamma fit, CLV, churn rules, grades, stages) on generated orders, on SQLite and
PostgreSQL, with the child's peak RSS.

    python -m bench.scoring --customers 2000 --orders 20000          # small, shared box
    python -m bench.scoring --customers 1000000 --orders 10000000    # the issue's size
    python -m bench.scoring --backends sqlite --skip-load             # re-time

Data is written straight into the tables (customers with bulk_create, orders with one
INSERT … SELECT over a row generator), not through the services. Each customer gets a
purchase rate and a last active day of its own, so that the BG/NBD fit has drop-outs
to find; 3 % of orders are refunded, 1 % are credit notes (negative totals), a few are
dated in the future. The first run is a full run with every grade and stage changing
(the worst case: history rows and audit entries for every customer); the second full
run is the steady nightly case; then an incremental run after 1 % of customers
got a new order. SQLite lives in --work-dir, PostgreSQL in database gx_scoring_bench
(dropped and re-created on load).
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

from bench.clv import DEFAULT_PEER_PYTHON
from bench.common import PROJECT_DIR, peak_rss_mb, pg_recreate

DEFAULT_WORK_DIR = "/tmp/guanxi-bench-scoring"
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "gx_scoring_bench"
HISTORY_DAYS = 2 * 365


def _sequence_sql(vendor: str, count: int) -> str:
    if vendor == "postgresql":
        return f"generate_series(1::bigint, {count}) AS seq(x)"
    return (
        f"(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq "
        f"WHERE x < {count}) SELECT x FROM seq) AS seq"
    )


def _load(args: argparse.Namespace) -> dict[str, float]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.accounts.services import builtin_roles_ensure
    from guanxi.customers.models import Customer

    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - clock
    builtin_roles_ensure()
    owner = User.objects.create_superuser(username="bench-admin", password="Bench-admin-pw-2026")
    clock = time.perf_counter()
    for start in range(0, args.customers, 5000):
        Customer.objects.bulk_create(
            Customer(kind="company", name=f"客户{n}", owner_id=owner.pk, search_text=f"客户{n}")
            for n in range(start, min(start + 5000, args.customers))
        )
    seconds["customers"] = time.perf_counter() - clock
    vendor = connection.vendor
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM customers_customer")
        low, high = cursor.fetchone()
    span = high - low + 1
    # Customer c = low + (x * 48271) % span; its active window ends (c * 7919) % 700
    # days ago (some are still active, some dropped out long ago); the order falls in
    # the 400 days before that end; 0.2 % are dated up to 30 days in the future.
    offset = f"(((c.id * 7919) % 700) + (((x * 104729) / {span}) % 400))"
    if vendor == "postgresql":
        day = (
            f"(CASE WHEN x % 500 = 0 THEN DATE '{today.isoformat()}' + (x % 30)::int "
            f"ELSE DATE '{today.isoformat()}' - ({offset})::int END)"
        )
        now = "now() - interval '2 day'"
    else:
        day = (
            f"(CASE WHEN x % 500 = 0 THEN date('{today.isoformat()}', '+' || (x % 30) || ' days') "
            f"ELSE date('{today.isoformat()}', '-' || {offset} || ' days') END)"
        )
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-2 day')"
    status = "CASE WHEN x % 33 = 0 THEN 'refunded' ELSE 'confirmed' END"
    total = "(CASE WHEN x % 100 = 0 THEN -50 ELSE 20 + (c.id % 50) * 8 + (x * 7) % 300 END)"
    clock = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sales_order (created_at, updated_at, version, number, customer_id, "
            "order_date, status, owner_id, total, cost, profit, notes) "
            f"SELECT {now}, {now}, 1, 'SC' || x, c.id, {day}, {status}, c.owner_id, "
            f"{total}, {total} * 0.6, {total} * 0.4, '' "
            f"FROM {_sequence_sql(vendor, args.orders)} "
            f"JOIN customers_customer c ON c.id = {low} + (x * 48271) % {span}"
        )
    seconds["orders"] = time.perf_counter() - clock
    return {name: round(value, 2) for name, value in seconds.items()}


def _reset_scores() -> None:
    """Back to "never scored" so the next run is a real first run: no runs, scores,
    history; every customer without grade, a prospect."""
    from django.db import connection

    from guanxi.analytics.models import CustomerScore, GradeChange, ScoringRun, StageChange

    with connection.cursor() as cursor:
        for model in (CustomerScore, GradeChange, StageChange, ScoringRun):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute("DELETE FROM platform_auditentry WHERE action LIKE 'analytics.customer.%%'")
        cursor.execute(
            "UPDATE customers_customer SET grade = '', lifecycle_stage = 'prospect' "
            "WHERE grade <> '' OR lifecycle_stage <> 'prospect'"
        )


def _peer_fits(summary: Any, work_dir: Path, peer_python: str) -> dict[str, Any]:
    """Our BG/NBD + Gamma-Gamma fit and lifetimes' on the summary the nightly run
    fitted (days, customers with a purchase), each in a child process of its own."""
    import numpy as np

    from bench.clv import PEER_SCRIPT, _add_our_log_likelihood, run_child_measured

    data = {
        "frequency": np.asarray(summary.frequency, dtype=np.float64),
        "recency": np.asarray(summary.recency, dtype=np.float64),
        "age": np.asarray(summary.age, dtype=np.float64),
        "monetary": np.asarray(summary.monetary, dtype=np.float64),
    }
    path = work_dir / "scoring-summary.npz"
    np.savez(path, **data)
    result: dict[str, Any] = {"customers": int(data["frequency"].size), "time_unit": "days"}
    result["ours"] = run_child_measured([sys.executable, "-m", "bench.clv", "--child", str(path)])
    if peer_python != "none" and Path(peer_python).exists():
        result["lifetimes"] = run_child_measured([peer_python, "-c", PEER_SCRIPT, str(path)])
        _add_our_log_likelihood(result["lifetimes"], data)
    else:
        result["lifetimes"] = {"error": f"no peer interpreter at {peer_python}"}
    return result


def child(args: argparse.Namespace) -> None:
    report: dict[str, Any] = {
        "backend": (os.environ.get("DATABASE_URL") and "postgresql") or "sqlite"
    }
    if not args.skip_load:
        report["load_seconds"] = _load(args)
    else:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the set may predate the newest tables
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from guanxi.analytics import scoring
    from guanxi.customers.models import Customer

    report["customers"] = Customer.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sales_order")
        report["orders"] = cursor.fetchone()[0]
    if args.reset_scores:
        clock = time.perf_counter()
        _reset_scores()
        report["reset_seconds"] = round(time.perf_counter() - clock, 1)
    # Keep the summary the full run fits, to fit it with lifetimes afterwards.
    fitted: list[Any] = []
    original_fit_summary = scoring.fit_summary

    def capturing_fit_summary(summary: Any) -> Any:
        fitted[:] = [summary]
        return original_fit_summary(summary)

    scoring.fit_summary = capturing_fit_summary
    runs = {}
    result = None
    for name in ("first full run", "nightly full run"):
        load_before = os.getloadavg()
        cpu_before = time.process_time()
        result = scoring.scores_compute()
        runs[name] = {
            "seconds": round(result.seconds, 2),
            # This process only: on PostgreSQL the server's share is not in it.
            "cpu_seconds": round(time.process_time() - cpu_before, 2),
            "phases": result.phases,
            "peak_rss_mb_by_phase": result.peak_rss_mb,
            "grade_changes": result.grade_changes,
            "stage_changes": result.stage_changes,
            "playbook_tasks": result.playbook_tasks,
            "fit_error": result.fit_error,
            "peak_rss_mb_so_far": peak_rss_mb(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        }
    scoring.fit_summary = original_fit_summary
    report["fit"] = result.fit
    report["notes"] = result.notes
    # 1 % of customers changed since the last run (a stride, not a random sort).
    changed = list(
        Customer.objects.annotate(rest=F("id") % 100).filter(rest=7).values_list("id", flat=True)
    )
    for start in range(0, len(changed), 900):
        Customer.objects.filter(id__in=changed[start : start + 900]).update(
            updated_at=timezone.now()
        )
    load_before = os.getloadavg()
    result = scoring.scores_compute(incremental=True)
    runs["incremental run (1 % changed)"] = {
        "seconds": round(result.seconds, 2),
        "phases": result.phases,
        "customers": result.customers,
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
    }
    report["runs"] = runs
    report["peak_rss_mb"] = peak_rss_mb()
    try:
        from guanxi.analytics.dashboards.services import dashboard_tables_refresh
    except ImportError:
        dashboard_tables_refresh = None
    if dashboard_tables_refresh is not None and not args.no_dashboards:
        load_before = os.getloadavg()
        clock = time.perf_counter()
        refreshed = dashboard_tables_refresh()
        report["dashboard_tables_refresh"] = {
            "seconds": round(time.perf_counter() - clock, 2),
            "rows": getattr(refreshed, "rows", None),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
            "peak_rss_mb_so_far": peak_rss_mb(),
        }
    if fitted and args.peer_python != "none":
        report["peer"] = _peer_fits(fitted[0], Path(args.work_dir), args.peer_python)
    print(json.dumps(report, ensure_ascii=False, default=str))


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    work_dir = Path(args.work_dir) / backend
    work_dir.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        if not args.skip_load:
            for path in work_dir.glob("*.sqlite3*"):
                path.unlink()
        env.pop("DATABASE_URL", None)
    else:
        if not args.skip_load:
            pg_recreate(args.pg_database, args.pg_server)
        env["DATABASE_URL"] = f"{args.pg_server}/{args.pg_database}"
    env["GUANXI_DATA_DIR"] = str(work_dir)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["GUANXI_SECRET_KEY"] = env.get("GUANXI_SECRET_KEY", "bench-scoring-not-secret")
    command = [sys.executable, "-m", "bench.scoring", "--child", *sys.argv[1:]]
    output = subprocess.run(
        command, env=env, cwd=PROJECT_DIR, check=True, stdout=subprocess.PIPE
    ).stdout.decode()
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--work-dir", default=os.environ.get("GUANXI_BENCH_DIR", DEFAULT_WORK_DIR))
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument(
        "--reset-scores",
        action="store_true",
        help="with --skip-load: forget earlier scoring runs so the first run is a first run",
    )
    parser.add_argument("--peer-python", default=DEFAULT_PEER_PYTHON, help="'none' to skip")
    parser.add_argument(
        "--no-dashboards", action="store_true", help="do not time dashboard_tables_refresh"
    )
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        report = run_backend(backend, args)
        print(f"\n== {backend}: {report['customers']:,} customers, {report['orders']:,} orders ==")
        print("load (s):", report.get("load_seconds"))
        for name, run in report["runs"].items():
            print(f"{name:32} {run}")
        print("peak RSS (MB):", report["peak_rss_mb"], "| notes:", report["notes"])
        if "dashboard_tables_refresh" in report:
            print("dashboard_tables_refresh:", report["dashboard_tables_refresh"])
        for who, fit in report.get("peer", {}).items():
            print(f"fit on the run's summary, {who}: {fit}")
        results.append(report)
    out = PROJECT_DIR / "bench" / "results" / "scoring.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
