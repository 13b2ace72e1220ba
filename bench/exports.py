"""Export benchmark: time `guanxi export customers` (the whole command, as admin, all
rows) to XLSX and CSV on SQLite and PostgreSQL, with the peak RSS of its process tree.

    python -m bench.exports --sqlite-dir /work/bench-exports/sqlite \
        --pg-url postgres://postgres@127.0.0.1:5432/gx_exports --runs 3

The databases must already hold the data (e.g. a copy of the 1,000,000-customer
bench base; never point this at a database you want to keep untouched: it adds an
`admin` user, export jobs and audit entries). The exported files are deleted after
each run. Prints p50/p95 wall time and peak RSS per backend and format, and writes
bench/results/exports-<backend>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import percentile
from bench.run_all import TreeMemorySampler, _tree_rss_kb, machine_info
from bench.timings import BENCH_ADMIN_PASSWORD

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
TARGET_XLSX_SECONDS = 90
TARGET_RSS_MB = 300


class FastSampler(TreeMemorySampler):
    """The run_all sampler, polling every 0.1 s (an export's peak can be short)."""

    def run(self) -> None:
        while not self.stopped.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self.stopped.wait(0.1)


def _guanxi(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "guanxi.cli", *args], env=env, cwd=PROJECT_DIR, **kwargs
    )


def _env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATA_DIR": str(data_dir),
        "GUANXI_ADMIN_PASSWORD": BENCH_ADMIN_PASSWORD,
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def prepare(env: dict[str, str]) -> int:
    """Migrate, make sure `admin` exists, return the number of live customers."""
    _guanxi(["migrate", "--no-input", "-v", "0"], env, check=True)
    _guanxi(["createadmin"], env, check=True, capture_output=True)
    code = (
        "from guanxi.customers.models import Customer;"
        "print(Customer.objects.filter(deleted_at__isnull=True).count())"
    )
    out = _guanxi(["shell", "-c", code], env, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def export_once(env: dict[str, str], fmt: str) -> dict[str, Any]:
    """One `guanxi export customers --format FMT --as admin`: wall seconds, peak RSS."""
    data_dir = Path(env["GUANXI_DATA_DIR"])
    with tempfile.TemporaryDirectory(prefix="gx-export-bench-") as out_dir:
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "guanxi.cli", "export", "customers", "--format", fmt,
             "--as", "admin", "--output", out_dir],
            env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        sampler = FastSampler(process.pid)
        sampler.start()
        stdout, stderr = process.communicate()
        seconds = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.stopped.set()
        sampler.join()
        if process.returncode != 0:
            raise RuntimeError(f"export failed ({process.returncode}): {stderr[-2000:]}")
        files = list(Path(out_dir).iterdir())
        size = sum(f.stat().st_size for f in files)
    shutil.rmtree(data_dir / "exports", ignore_errors=True)  # the job's own copy
    return {
        "seconds": round(seconds, 2),
        # CPU time of the command: close to the wall time on an idle machine, and
        # independent of how many other processes share the CPUs
        "cpu_seconds": round(
            cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime,
            2,
        ),
        "peak_rss_mb": round(sampler.peak_kb / 1024, 1),
        "file_mb": round(size / 1024 / 1024, 1),
        "load_1m": round(os.getloadavg()[0], 2),
        "summary": stdout.strip().splitlines()[-1] if stdout.strip() else "",
    }


def bench_backend(label: str, env: dict[str, str], formats: list[str], runs: int) -> dict:
    customers = prepare(env)
    print(f"\n{label}: {customers:,} customers", flush=True)
    result: dict[str, Any] = {"backend": label, "customers": customers, "formats": {}}
    for fmt in formats:
        samples = []
        for run in range(runs):
            sample = export_once(env, fmt)
            samples.append(sample)
            print(
                f"  {fmt} run {run + 1}: {sample['seconds']:.1f} s "
                f"(CPU {sample['cpu_seconds']:.1f} s), "
                f"peak RSS {sample['peak_rss_mb']:.0f} MB, file {sample['file_mb']} MB, "
                f"load {sample['load_1m']}",
                flush=True,
            )
        seconds = [s["seconds"] for s in samples]
        result["formats"][fmt] = {
            "runs": samples,
            "p50_s": round(statistics.median(seconds), 1),
            "p95_s": round(percentile(seconds, 0.95), 1),
            "cpu_p50_s": round(statistics.median(s["cpu_seconds"] for s in samples), 1),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite-dir", type=Path, help="GUANXI_DATA_DIR of a SQLite data set")
    parser.add_argument("--pg-url", help="DATABASE_URL of a PostgreSQL data set")
    parser.add_argument("--pg-data-dir", type=Path, default=Path("/tmp/gx-export-bench-pg"))
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    backends = []
    if args.sqlite_dir:
        backends.append(("sqlite", _env(args.sqlite_dir, None)))
    if args.pg_url:
        args.pg_data_dir.mkdir(parents=True, exist_ok=True)
        backends.append(("postgres", _env(args.pg_data_dir, args.pg_url)))
    if not backends:
        parser.error("give --sqlite-dir and/or --pg-url")
    info = machine_info(args.pg_url)
    print(f"machine: {info}")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    table = []
    for label, env in backends:
        result = bench_backend(label, env, formats, args.runs)
        result["machine"] = {**info, "loadavg_end": os.getloadavg()}
        (RESULTS_DIR / f"exports-{label}.json").write_text(json.dumps(result, indent=2))
        for fmt, figures in result["formats"].items():
            table.append((label, result["customers"], fmt, figures))
    print("\nbackend   customers  format   p50 s   p95 s  CPU p50 s  peak RSS MB  targets")
    for label, customers, fmt, figures in table:
        ok_time = fmt != "xlsx" or figures["p95_s"] < TARGET_XLSX_SECONDS
        ok_rss = figures["peak_rss_mb"] < TARGET_RSS_MB
        verdict = "ok" if ok_time and ok_rss else "MISSED"
        print(
            f"{label:9} {customers:>9,}  {fmt:6} {figures['p50_s']:7.1f} {figures['p95_s']:7.1f}"
            f" {figures['cpu_p50_s']:10.1f} {figures['peak_rss_mb']:12.0f}  {verdict}"
        )
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
