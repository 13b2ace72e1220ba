"""Import benchmark: 1,000,000 customer rows into a database already holding 1,000,000.

    python -m bench.imports --base-sqlite /work/bench-base/sqlite/guanxi.sqlite3 \
        --base-pg gx_bench --rows 1000000 [--xlsx-rows 100000] [--backends sqlite,postgres]

The base: `--make-base N` builds one (instead of the demo's hour-long load): a migrated
database with the five owners and benchadmin, then N generated customers imported
through the same CLI with `--policy create` (another seed than the benchmark file),
so the stored rows, audit entries and name collisions are the real thing:

    python -m bench.imports --make-base 1000000 --base-sqlite /tmp/gx/imports/base.sqlite3
    python -m bench.imports --make-base 1000000 --base-pg gx_imports_base --backends postgres

Works on copies (the SQLite file is copied, the PostgreSQL database is cloned with
CREATE DATABASE … TEMPLATE) so the base data sets stay untouched. Each run is the
whole `guanxi import FILE --target customers --policy skip` command under
/usr/bin/time: wall time, CPU time and peak RSS of the process. The file comes
from bench.import_data (Chinese headers, typed phones, 5 % in-file duplicates and
5 % rows whose phone belongs to an existing customer).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
GUANXI = str(PROJECT_DIR / ".venv" / "bin" / "guanxi")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
OWNERS = "chenjing,guopeng,liuyang,zhaolei,wangjianguo"


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True)


def prepare(backend: str, args: argparse.Namespace, work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATA_DIR": str(work / backend),
        "GUANXI_IMPORT_MAX_MB": "4096",
    }
    env.pop("GUANXI_REDIS_URL", None)
    (work / backend).mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        target = work / backend / "guanxi.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(args.base_sqlite, target)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    else:
        _psql(f"DROP DATABASE IF EXISTS {args.work_pg}")
        _psql(f"CREATE DATABASE {args.work_pg} TEMPLATE {args.base_pg}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.work_pg}"
    subprocess.run([GUANXI, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run(
        [GUANXI, "shell", "-c",
         "from guanxi.accounts.models import User\n"
         "User.objects.filter(username='benchadmin').exists() or "
         "User.objects.create_superuser('benchadmin', 'bench@example.cn', 'Bench-pw-2026')"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return env


def existing_phones(env: dict[str, str], path: Path, count: int = 20_000) -> None:
    script = (
        "from guanxi.customers.models import Customer\n"
        "from guanxi.platform.phones import national_digits\n"
        f"rows = Customer.objects.exclude(phones=[]).values_list('phones', flat=True)[:{count}]\n"
        f"open({str(path)!r}, 'w').write('\\n'.join(national_digits(p[0]) for p in rows))\n"
    )
    subprocess.run([GUANXI, "shell", "-c", script], env=env, check=True, capture_output=True)


def timed_import(env: dict[str, str], path: Path, lock: str = "") -> dict[str, Any]:
    """The whole CLI import under /usr/bin/time; with `lock`, holding that flock (so no
    other full-size benchmark runs at the same time on a shared machine)."""
    command = ["flock", lock] if lock else []
    command += ["/usr/bin/time", "-v", GUANXI, "import", str(path), "--target", "customers",
               "--policy", "skip", "--as", "benchadmin"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", done.stderr)
    if elapsed:  # the import's own wall time, without waiting for the lock
        parts = [float(part) for part in elapsed.group(1).split(":")]
        wall = sum(value * 60**power for power, value in enumerate(reversed(parts)))
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"import failed ({done.returncode})")

    def number(label: str) -> float:
        found = re.search(rf"{re.escape(label)}: ([0-9.:]+)", done.stderr)
        return float(found.group(1)) if found else 0.0

    counts = {
        name: int(found.group(1).replace(",", ""))
        for name in ("created", "updated", "skipped", "failed")
        if (found := re.search(rf"{name}\s*│\s*([0-9,]+)", done.stdout))
    }
    return {
        "wall_seconds": round(wall, 1),
        "loadavg_after": os.getloadavg(),
        "cpu_seconds": round(number("User time (seconds)") + number("System time (seconds)"), 1),
        "peak_rss_mb": round(number("Maximum resident set size (kbytes)") / 1024),
        **counts,
    }


def count_customers(env: dict[str, str]) -> int:
    if env["DATABASE_URL"].startswith("sqlite"):
        path = env["DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
    import psycopg

    with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://")) as conn:
        return conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0]


def make_base(backend: str, args: argparse.Namespace, work: Path) -> None:
    """A fresh base database: migrated, the owners and benchadmin, N customers imported."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATA_DIR": str(work / f"base-{backend}"),
        "GUANXI_IMPORT_MAX_MB": "4096",
    }
    env.pop("GUANXI_REDIS_URL", None)
    (work / f"base-{backend}").mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        target = Path(args.base_sqlite)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{target}"
    else:
        _psql(f"DROP DATABASE IF EXISTS {args.base_pg}")
        _psql(f"CREATE DATABASE {args.base_pg}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.base_pg}"
    subprocess.run([GUANXI, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    users = "\n".join(
        f"User.objects.create_user({name!r}, display_name={name!r})" for name in OWNERS.split(",")
    )
    subprocess.run(
        [GUANXI, "shell", "-c",
         "from guanxi.accounts.models import User\n"
         "User.objects.create_superuser('benchadmin', 'bench@example.cn', 'Bench-pw-2026')\n"
         + users],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    source = work / f"base-{args.make_base}.csv"
    if not source.exists():
        subprocess.run(
            [sys.executable, "-m", "bench.import_data", "--rows", str(args.make_base),
             "--out", str(source), "--owners", OWNERS, "--seed", "7"],
            cwd=PROJECT_DIR, check=True,
        )  # fmt: skip
    try:
        imported = subprocess.run(
            [GUANXI, "import", str(source), "--target", "customers", "--policy", "create",
             "--batch-size", "5000", "--as", "benchadmin"],
            env=env, timeout=args.base_import_seconds or None,
        )  # fmt: skip
        print("base import:", imported.returncode)
    except subprocess.TimeoutExpired:  # killed between batches' commits: kept batches stay
        print(f"base import stopped after {args.base_import_seconds} s")
    top_up(env["DATABASE_URL"], args.make_base)


def top_up(database_url: str, total: int) -> None:
    """Fill the base up to `total` customers with plain generated ones, in SQL: on a
    busy shared box the import of a whole million base rows takes hours, so the base
    is the imported rows (real names, collisions, audit entries) plus these."""
    columns = (
        "created_at, updated_at, version, birthday_calendar, lunar_birthday_is_leap_month, "
        "search_text, sort_name, kind, name, name_pinyin, short_name, industry, source, "
        "grade, lifecycle_stage, phones, emails, wechat_id, province, city, district, "
        "street, preferred_channel, language, time_zone, notes, custom_fields"
    )
    phone = "'+86' || (13000000000 + x)"
    values = (
        "{now}, {now}, 1, 'solar', FALSE, '存量客户' || x || ' ' || (13000000000 + x), "
        "'cunliangkehu' || x, 'company', '存量客户' || x, 'cunliangkehu' || x, '', '', '', "
        f"'', 'prospect', ('[\"' || {phone} || '\"]'){{cast}}, '[]', '', '', '', '', '', '', "
        "'zh-hans', 'Asia/Shanghai', '', '{{}}'"
    )
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        count = connection.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
        sequence = (
            f"(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq "
            f"WHERE x < {total - count}) SELECT x FROM seq)"
        )
        now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        with connection:
            connection.execute(
                f"INSERT INTO customers_customer ({columns}) "
                f"SELECT {values.format(now=now, cast='')} FROM {sequence}"
            )
        connection.close()
        return
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        count = connection.execute("SELECT count(*) FROM customers_customer").fetchone()[0]
        connection.execute(
            f"INSERT INTO customers_customer ({columns}) "
            f"SELECT {values.format(now='now()', cast='::jsonb')} "
            f"FROM generate_series(1::bigint, {total - count}) AS seq(x)"
        )
    with psycopg.connect(
        database_url.replace("postgres://", "postgresql://"), autocommit=True
    ) as connection:
        connection.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-sqlite", default="/work/bench-base/sqlite/guanxi.sqlite3")
    parser.add_argument("--base-pg", default="gx_bench")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--work", default="/work/bench-imports")
    parser.add_argument("--work-pg", default="gx_bench_imports", help="scratch database")
    parser.add_argument("--lock", default="", help="flock file held during each timed import")
    parser.add_argument("--make-base", type=int, default=0, help="build a base of N customers")
    parser.add_argument(
        "--base-import-seconds", type=int, default=0,
        help="stop the base's import after this long and top the rest up in SQL",
    )  # fmt: skip
    parser.add_argument("--top-up", type=int, default=0, help="only top the bases up to N")
    parser.add_argument("--out", default=str(PROJECT_DIR / "bench" / "results" / "imports.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.top_up:
        if "sqlite" in args.backends:
            top_up(f"sqlite:///{args.base_sqlite}", args.top_up)
        if "postgres" in args.backends:
            top_up(f"postgres://postgres@127.0.0.1:5432/{args.base_pg}", args.top_up)
        return
    if args.make_base:
        for backend in [b for b in args.backends.split(",") if b]:
            make_base(backend, args, work)
        return
    results: dict[str, Any] = {"rows": args.rows, "loadavg_start": os.getloadavg()}
    for backend in [b for b in args.backends.split(",") if b]:
        env = prepare(backend, args, work)
        phones = work / "existing-phones.txt"
        existing_phones(env, phones)
        csv_path = work / f"customers-{args.rows}.csv"
        xlsx_path = work / f"customers-{args.xlsx_rows}.xlsx"
        files = [(csv_path, args.rows, "csv"), (xlsx_path, args.xlsx_rows, "xlsx")]
        for path, rows, kind in files:
            if rows and not path.exists():
                subprocess.run(
                    [sys.executable, "-m", "bench.import_data", "--rows", str(rows),
                     "--out", str(path), "--format", kind, "--owners", OWNERS,
                     "--existing-phones", str(phones)],
                    cwd=PROJECT_DIR, check=True,
                )  # fmt: skip
        before = count_customers(env)
        result = {"customers_before": before, "csv": timed_import(env, csv_path, args.lock)}
        result["csv"]["rows_per_second"] = round(args.rows / result["csv"]["wall_seconds"])
        if args.xlsx_rows:  # --xlsx-rows 0: CSV only
            result["xlsx"] = timed_import(env, xlsx_path, args.lock)
            result["xlsx"]["rows_per_second"] = round(
                args.xlsx_rows / result["xlsx"]["wall_seconds"]
            )
        result["customers_after"] = count_customers(env)
        results[backend] = result
        print(backend, json.dumps(result, indent=1), flush=True)
        if backend == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {args.work_pg}")
    results["loadavg_end"] = os.getloadavg()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
