"""Time the duplicate finder (`find_duplicates`, customers and contacts) at 1,000,000
customers on copies of the shared benchmark bases.

    python -m bench.duplicates                         # both databases, 3 runs each
    python -m bench.duplicates --backends sqlite --runs 5

The bases are never written: SQLite's file is copied into --work-dir, PostgreSQL's
database is cloned with `createdb -T` (into --pg-copy, dropped at the end unless
--keep). Each run is a child process (`python -m bench.duplicates --child`) so its
peak RSS comes from os.wait4; it runs `duplicates_find(actor=None)`, exactly what
`guanxi find_duplicates` runs, and later runs replace the pairs of earlier ones.
Run 1 starts from empty pair tables (every pair inserted); later runs are re-runs
over the same data, which write only the difference. Prints wall and CPU time per
run, the medians, the phases, the pair counts, peak RSS and the load average (the
machine is shared: note it with the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_BASE = "/work/bench-base/sqlite/guanxi.sqlite3"
DEFAULT_PG_BASE = "gx_bench"
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def child() -> None:
    """One finder run in this process; prints one JSON line."""
    import django

    django.setup()
    from guanxi.customers.duplicates import duplicates_find

    started = time.perf_counter()
    result = duplicates_find(actor=None)
    print(
        json.dumps(
            {
                "seconds": round(time.perf_counter() - started, 2),
                "phases": {key: round(value, 2) for key, value in result.seconds.items()},
                "customers": result.customers,
                "customer_pairs": result.pairs,
                "contacts": result.contacts,
                "contact_pairs": result.contact_pairs,
                "writes": result.writes,
            }
        )
    )


def _run_child(env: dict[str, str]) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.duplicates", "--child"],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"finder run failed ({process.returncode})")
    report = json.loads(output.strip().splitlines()[-1])
    report["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
    report["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 1)
    return report


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "guanxi.cli", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=PROJECT_DIR,
        check=True,
    )


def prepare_sqlite(base: Path, work_dir: Path) -> dict[str, str]:
    target_dir = work_dir / "sqlite"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "guanxi.sqlite3"
    if not target.exists():
        print(f"copying {base} -> {target}", flush=True)
        shutil.copyfile(base, target)
        if (base.parent / "secret_key").exists():
            shutil.copyfile(base.parent / "secret_key", target_dir / "secret_key")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATA_DIR": str(target_dir),
        "DATABASE_URL": f"sqlite:///{target}",
    }
    _migrate(env)
    return env


def _psql(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare_postgresql(server: str, base: str, copy: str, work_dir: Path) -> dict[str, str]:
    _psql(server, f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    for attempt in range(10):  # CREATE … TEMPLATE fails while others read the base
        try:
            _psql(server, f'CREATE DATABASE "{copy}" TEMPLATE "{base}"')
            break
        except Exception as error:
            if attempt == 9:
                raise
            print(f"waiting for {base}: {error}", flush=True)
            time.sleep(15)
    data_dir = work_dir / "pg"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"{server}/{copy}",
    }
    _migrate(env)
    return env


def clear_pairs(env: dict[str, str]) -> None:
    """Empty the pair tables of the copy (untimed), so run 1 is a first run."""
    url = env["DATABASE_URL"]
    statements = [
        "DELETE FROM customers_duplicatepair",
        "DELETE FROM customers_contactduplicatepair",
    ]
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for statement in statements:
                conn.execute(statement)
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)
            conn.execute("VACUUM ANALYZE customers_duplicatepair")
            conn.execute("VACUUM ANALYZE customers_contactduplicatepair")


def bench(label: str, env: dict[str, str], runs: int) -> dict[str, Any]:
    """Run 1 starts from empty pair tables (a first run inserts every pair); runs 2..N
    are re-runs over the same data (they write only what changed: nothing)."""
    clear_pairs(env)
    reports = []
    for index in range(runs):
        load = os.getloadavg()[0]
        report = _run_child(env)
        report["load_before"] = round(load, 1)
        reports.append(report)
        print(
            f"{label} run {index + 1}: {report['seconds']:.1f} s wall, "
            f"{report['cpu_seconds']:.1f} s CPU, phases {report['phases']}, "
            f"{report['customer_pairs']:,} customer pairs, "
            f"{report['contact_pairs']:,} contact pairs, writes {report['writes']}, "
            f"peak RSS {report['peak_rss_mb']} MB, "
            f"load {report['load_before']}",
            flush=True,
        )
    reruns = reports[1:] or reports
    return {
        "backend": label,
        "runs": reports,
        "first_run_seconds": reports[0]["seconds"],
        "p50_seconds": round(statistics.median(r["seconds"] for r in reports), 1),
        "p50_rerun_seconds": round(statistics.median(r["seconds"] for r in reruns), 1),
        "p50_customers_seconds": round(
            statistics.median(r["phases"]["customers"] for r in reports), 1
        ),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in reports),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-base", default=DEFAULT_SQLITE_BASE)
    parser.add_argument("--pg-server", default=DEFAULT_PG_SERVER)
    parser.add_argument("--pg-base", default=DEFAULT_PG_BASE)
    parser.add_argument("--pg-copy", default="gx_dups")
    parser.add_argument("--work-dir", default="/work/dups-bench")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL copy")
    parser.add_argument("--out", default="", help="write the results as JSON here")
    args = parser.parse_args()
    if args.child:
        child()
        return
    work_dir = Path(args.work_dir)
    results: dict[str, Any] = {
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_start": os.getloadavg(),
        },
        "backends": [],
    }
    for backend in [name.strip() for name in args.backends.split(",") if name.strip()]:
        if backend == "sqlite":
            env = prepare_sqlite(Path(args.sqlite_base), work_dir)
            results["backends"].append(bench("sqlite", env, args.runs))
        elif backend == "postgresql":
            env = prepare_postgresql(args.pg_server, args.pg_base, args.pg_copy, work_dir)
            try:
                results["backends"].append(bench("postgresql", env, args.runs))
            finally:
                if not args.keep:
                    _psql(args.pg_server, f'DROP DATABASE IF EXISTS "{args.pg_copy}" WITH (FORCE)')
        else:
            raise SystemExit(f"unknown backend {backend!r}")
    results["machine"]["loadavg_end"] = os.getloadavg()
    for entry in results["backends"]:
        print(
            f"{entry['backend']}: first run {entry['first_run_seconds']} s, re-runs p50 "
            f"{entry['p50_rerun_seconds']} s, p50 {entry['p50_seconds']} s over "
            f"{len(entry['runs'])} runs "
            f"(customers phase p50 {entry['p50_customers_seconds']} s), "
            f"peak RSS {entry['peak_rss_mb']} MB"
        )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
