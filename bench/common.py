"""Helpers the benches share: timing, p50/p95, peak RSS, a fresh database per
backend, running the bench's own child process and printing its table."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN = f"{PG_SERVER}/postgres"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def samples_ms(function: Callable[[], Any], *, repeat: int, warmup: int = 0) -> list[float]:
    """Milliseconds of `repeat` calls, after `warmup` calls that are not counted."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(
    function: Callable[[], Any], *, repeat: int, warmup: int = 3, digits: int = 2
) -> dict[str, Any]:
    samples = samples_ms(function, repeat=repeat, warmup=warmup)
    return {
        "p50_ms": round(statistics.median(samples), digits),
        "p95_ms": round(percentile(samples, 0.95), digits),
        "max_ms": round(max(samples), digits),
        "runs": repeat,
    }


def measure_wall_and_cpu(
    function: Callable[[], Any], *, repeat: int, warmup: int = 3
) -> dict[str, Any]:
    """Wall-clock p50/p95 and, beside them, the CPU time this process spent (view,
    templates, and on SQLite the queries too): on a busy shared box the wall clock
    mostly measures the wait for a CPU, the CPU time much less so."""
    cpu: list[float] = []

    def timed() -> None:
        started = time.process_time()
        function()
        cpu.append((time.process_time() - started) * 1000)

    samples = samples_ms(timed, repeat=repeat, warmup=warmup)
    cpu = cpu[warmup:]
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "max_ms": round(max(samples), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
        "runs": repeat,
    }


def median_ms(function: Callable[[], Any], repeat: int) -> float:
    """Median of `repeat` calls in milliseconds, no warm-up."""
    return round(statistics.median(samples_ms(function, repeat=repeat)), 2)


def peak_rss_mb() -> int:
    """Peak resident memory of this process so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def pg_recreate(name: str, server: str = PG_SERVER) -> None:
    """Drop and create the PostgreSQL database `name` (psycopg, no psql needed)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")


def fresh_env(backend: str, work: Path, pg_name: str) -> dict[str, str]:
    """The child's environment on an empty database: a new SQLite file under
    work/<backend>, or the PostgreSQL database `pg_name` dropped and created."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    env.pop("GUANXI_REDIS_URL", None)
    data_dir = work / backend
    data_dir.mkdir(parents=True, exist_ok=True)
    env["GUANXI_DATA_DIR"] = str(data_dir)
    if backend == "sqlite":
        target = data_dir / "guanxi.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    else:
        for sql in (f"DROP DATABASE IF EXISTS {pg_name}", f"CREATE DATABASE {pg_name}"):
            subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True)
        env["DATABASE_URL"] = f"{PG_SERVER}/{pg_name}"
    return env


def backend_env(
    backend: str, *, work_dir: Path, database_url: str, is_fresh: bool
) -> dict[str, str]:
    """The child's environment for one backend: GUANXI_DATA_DIR `work_dir` (SQLite's
    file lives there), PostgreSQL at `database_url`. `is_fresh` empties the database
    first (SQLite file deleted, PostgreSQL database dropped and created); without it
    an existing set is timed. One BLAS thread (see docs/reports.md)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    env.pop("GUANXI_REDIS_URL", None)
    work_dir.mkdir(parents=True, exist_ok=True)
    env["GUANXI_DATA_DIR"] = str(work_dir)
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
        if is_fresh:
            for path in work_dir.glob("*.sqlite3*"):
                path.unlink()
    else:
        env["DATABASE_URL"] = database_url
        if is_fresh:
            server, name = database_url.rsplit("/", 1)
            pg_recreate(name, server)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("GUANXI_SECRET_KEY", "bench-not-secret")
    return env


def run_child(module: str, arguments: Iterable[str], env: dict[str, str], backend: str) -> Any:
    """Run `python -m <module> --child <arguments>` and return the JSON of its last
    output line; on failure print the end of its stderr and stop."""
    command = [sys.executable, "-m", module, "--child", *arguments]
    done = subprocess.run(command, env=env, cwd=PROJECT_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"{backend} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_table(
    title: str,
    table: dict[str, dict[str, Any]],
    *,
    width: int = 34,
    cell_width: int = 12,
    cell: Callable[[Any], str] = str,
) -> None:
    """One row a measure, one column a backend."""
    print(f"{title:<{width}}" + "".join(f"{b:>{cell_width}}" for b in table))
    for key in next(iter(table.values())):
        print(f"{key:<{width}}" + "".join(f"{cell(table[b][key]):>{cell_width}}" for b in table))
