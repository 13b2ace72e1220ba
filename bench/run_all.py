"""Guanxi benchmarks: load 1,000,000 demo customers into SQLite and PostgreSQL, time
the hot pages and selectors, print a table, write bench/results/*.json.

    python -m bench.run_all                      # both databases, 1,000,000 customers
    python -m bench.run_all --customers 100000 --backends sqlite
    python -m bench.run_all --skip-load          # re-time an existing data set

Data lives outside the repository (GUANXI_BENCH_DIR, default /tmp/guanxi-bench):
SQLite in <dir>/sqlite/, PostgreSQL in database `gx_bench` (GUANXI_BENCH_PG_URL,
default postgres://postgres@127.0.0.1:5432/gx_bench), dropped and re-created on load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/gx_bench"
TARGETS_MS = {"list": 100.0, "search": 100.0, "360": 150.0}
DEMO_TARGET_SECONDS = 600
DEMO_TARGET_RSS_MB = 1024


# --- machine ------------------------------------------------------------------------


def machine_info(pg_url: str | None) -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    total_kb = re.search(r"MemTotal:\s+(\d+)", meminfo)
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "ram_gb": round(int(total_kb.group(1)) / 1024 / 1024, 1) if total_kb else None,
        "cpu": model.group(1).strip() if model else platform.processor(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "loadavg_start": os.getloadavg(),
    }
    if pg_url:
        try:
            import psycopg

            with psycopg.connect(_admin_url(pg_url), connect_timeout=3) as conn:
                info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        except Exception as error:
            info["postgresql"] = f"unavailable: {error}"
    return info


# --- process-tree memory ---------------------------------------------------------------


def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over `root` and all its descendants (worker processes included)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = 0
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+)", status)
        total += int(match.group(1)) if match else 0
    return total


class TreeMemorySampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self.stopped.wait(0.5)


# --- steps ----------------------------------------------------------------------------


def _admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def _guanxi(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guanxi.cli", *args], env=env, cwd=PROJECT_DIR, **kwargs
    )


def prepare_database(backend: str, env: dict[str, str], data_dir: Path, pg_url: str) -> None:
    if backend == "sqlite":
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
    else:
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        with psycopg.connect(_admin_url(pg_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        data_dir.mkdir(parents=True, exist_ok=True)
    _guanxi(["migrate", "--no-input", "-v", "0"], env, check=True)


def load_demo(env: dict[str, str], customers: int) -> dict[str, Any]:
    """`guanxi demo --customers N` in a child: wall time, peak RSS (tree and largest)."""
    command = [sys.executable, "-m", "guanxi.cli", "demo", "--customers", str(customers)]
    command.append("--no-progress")
    time_binary = shutil.which("time") or "/usr/bin/time"
    use_time = Path(time_binary).exists()
    if use_time:
        command = [time_binary, "-v", *command]
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    sampler = TreeMemorySampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    text = stdout.decode(errors="replace")
    errors = stderr.decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"demo failed ({process.returncode}):\n{text}\n{errors[-3000:]}")
    largest = re.search(r"Maximum resident set size \(kbytes\): (\d+)", errors)
    rows = [
        int(n.replace(",", ""))
        for n in re.findall(r"(\d[\d,]*) \S+ (?:customers|contacts|follow-ups)", text)
    ]
    return {
        "customers": customers,
        "wall_seconds": round(wall, 1),
        "peak_rss_tree_mb": round(sampler.peak_kb / 1024),
        "peak_rss_largest_process_mb": round(int(largest.group(1)) / 1024) if largest else None,
        "summary": text.strip().splitlines()[0] if text.strip() else "",
        "rows_customers_contacts_followups": rows,
    }


def database_size_mb(backend: str, data_dir: Path, pg_url: str) -> float | None:
    if backend == "sqlite":
        files = [p for p in data_dir.glob("guanxi.sqlite3*") if p.is_file()]
        return round(sum(p.stat().st_size for p in files) / 1024 / 1024)
    import psycopg

    with psycopg.connect(pg_url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return round(size / 1024 / 1024)


def run_timings(env: dict[str, str], label: str, repeat: int) -> dict[str, Any]:
    _guanxi(["collectstatic", "--no-input", "-v", "0"], env, check=True)
    out = RESULTS_DIR / f"{label}-timings.json"
    subprocess.run(
        [sys.executable, "-m", "bench.timings", "--label", label, "--repeat", str(repeat),
         "--out", str(out)],
        env=env,
        cwd=PROJECT_DIR,
        check=True,
    )  # fmt: skip
    return json.loads(out.read_text())


# --- report ---------------------------------------------------------------------------


def target_for(case: str) -> float | None:
    if "360" in case:
        return TARGETS_MS["360"]
    if "search" in case:
        return TARGETS_MS["search"]
    if "list" in case:
        return TARGETS_MS["list"]
    return None


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=170)
    backends = list(report["backends"])
    table = Table(title=f"Guanxi benchmarks — {report['customers']:,} customers")
    table.add_column("case")
    table.add_column("target")
    for backend in backends:
        table.add_column(f"{backend} p50 / p95 / max (ms)")
    cases: list[str] = []
    for backend in backends:
        for case in report["backends"][backend].get("timings", {}).get("timings", {}):
            if case not in cases:
                cases.append(case)
    for case in cases:
        target = target_for(case)
        cells = []
        for backend in backends:
            value = report["backends"][backend].get("timings", {}).get("timings", {}).get(case)
            if value is None:
                cells.append("—")
            elif "error" in value:
                cells.append(f"[red]{value['error'][:40]}[/red]")
            else:
                is_ok = target is None or value["p95_ms"] < target
                colour = "green" if is_ok else "red"
                cells.append(
                    f"{value['p50_ms']:.1f} / [{colour}]{value['p95_ms']:.1f}[/{colour}] / "
                    f"{value['max_ms']:.1f}"
                )
        table.add_row(case, f"p95 < {target:.0f}" if target else "", *cells)
    demo_cells = []
    for backend in backends:
        load = report["backends"][backend].get("load")
        if not load:
            demo_cells.append("—")
            continue
        is_ok = (
            load["wall_seconds"] < DEMO_TARGET_SECONDS
            and load["peak_rss_tree_mb"] < DEMO_TARGET_RSS_MB
        )
        colour = "green" if is_ok else "red"
        demo_cells.append(
            f"[{colour}]{load['wall_seconds']:.0f} s, {load['peak_rss_tree_mb']} MB[/{colour}]"
            f" (largest process {load['peak_rss_largest_process_mb']} MB)"
        )
    table.add_row(
        f"guanxi demo --customers {report['customers']:,}", "< 600 s, < 1024 MB", *demo_cells
    )
    console.print(table)
    console.print(report["machine"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true", help="time the existing data")
    parser.add_argument(
        "--data-dir", default=os.environ.get("GUANXI_BENCH_DIR", "/tmp/guanxi-bench")
    )
    parser.add_argument("--pg-url", default=os.environ.get("GUANXI_BENCH_PG_URL", DEFAULT_PG_URL))
    args = parser.parse_args()

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    report: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "customers": args.customers,
        "machine": machine_info(args.pg_url if "postgres" in backends else None),
        "backends": {},
    }
    for backend in backends:
        data_dir = Path(args.data_dir) / backend
        env = {k: v for k, v in os.environ.items() if k not in {"GUANXI_REDIS_URL"}}
        env.update(
            DJANGO_SETTINGS_MODULE="guanxi.settings",
            GUANXI_DATA_DIR=str(data_dir),
            GUANXI_DEMO_PASSWORD="Bench-demo-pw-2026",
        )
        if backend == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{data_dir / 'guanxi.sqlite3'}"
        else:
            env["DATABASE_URL"] = args.pg_url
            if str(report["machine"].get("postgresql", "")).startswith("unavailable"):
                print(f"skipping postgres: {report['machine']['postgresql']}")
                continue
        entry: dict[str, Any] = {}
        report["backends"][backend] = entry
        if not args.skip_load:
            print(f"[{backend}] loading {args.customers:,} demo customers…", flush=True)
            prepare_database(backend, env, data_dir, args.pg_url)
            entry["load"] = load_demo(env, args.customers)
            print(f"[{backend}] load: {entry['load']}", flush=True)
        entry["database_mb"] = database_size_mb(backend, data_dir, args.pg_url)
        print(f"[{backend}] timing ({args.repeat} runs per case)…", flush=True)
        entry["timings"] = run_timings(env, backend, args.repeat)
    report["machine"]["loadavg_end"] = os.getloadavg()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS_DIR / f"summary-{stamp}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
    print_table(report)


if __name__ == "__main__":
    main()
