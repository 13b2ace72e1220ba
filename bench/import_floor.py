"""The database's own floor under an import: rows already prepared, written as the import
writes them, into a base of 1,000,000 customers.

    python -m bench.import_floor --base-sqlite /tmp/gx/imports/base.sqlite3 \
        --base-pg gx_imports_base [--rows 100000] [--backends sqlite,postgres]

No parsing, checking, dedupe or search text: the rows are imported customers read
back from the base (their stored search text, ~28 tokens each, and their audit
entries), written again in batches of 500 with a commit each, the import's batch
size, in the statement form `platform.bulk.insert_rows` uses (SQLite: multi-row
INSERT … RETURNING; PostgreSQL: COPY). Half the rows go in alone, half with one
audit entry each (as an import writes them). `--without search` drops the full-text
index first (SQLite's FTS5 trigger, PostgreSQL's GIN index), `--without indexes`
the customers' other indexes, `--without both` all of them, to say where the time
goes. Works on copies (the file copied, the database cloned from the base as a
template); the bases stay untouched.

Whatever the application does, an import cannot go faster than this.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import PG_ADMIN, PG_SERVER

BATCH = 500
CUSTOMERS = "customers_customer"
AUDIT = "platform_auditentry"
TOP_UP_MARK = "存量客户%"  # the base's SQL top-up rows; the rest were really imported


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Sqlite:
    def __init__(self, base: str, work: Path, without: str) -> None:
        path = work / "floor.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base, path)
        self.db = sqlite3.connect(path, isolation_level=None)
        # As the import's connection has them (settings and platform.bulk.bulk_writes).
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "wal_autocheckpoint=25000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("PRAGMA cache_size=-16384")
        if without in ("search", "both"):
            self.db.execute(f"DROP TRIGGER {CUSTOMERS}_fts_ai")
        if without in ("indexes", "both"):
            for (name,) in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL",
                [CUSTOMERS],
            ).fetchall():
                self.db.execute(f'DROP INDEX "{name}"')

    def columns(self, table: str) -> list[str]:
        rows = self.db.execute(f"PRAGMA table_info({table})").fetchall()
        return [row[1] for row in rows if row[1] != "id"]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.db.execute(sql).fetchall()

    def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        row_sql = "(" + ", ".join(["?"] * len(columns)) + ")"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ", ".join([row_sql] * len(rows))
            + " RETURNING id"
        )
        self.db.execute(sql, [value for row in rows for value in row]).fetchall()

    def execute(self, sql: str) -> None:
        self.db.execute(sql)

    def close(self) -> None:
        self.db.close()


class _Postgres:
    def __init__(self, base: str, work_db: str, without: str) -> None:
        import psycopg

        self.work_db = work_db
        _psql(f"DROP DATABASE IF EXISTS {work_db}")
        _psql(f"CREATE DATABASE {work_db} TEMPLATE {base}")
        self.db = psycopg.connect(f"{PG_SERVER}/{work_db}".replace("postgres://", "postgresql://"))
        self.db.autocommit = True
        if without in ("search", "both"):
            self.db.execute(f"DROP INDEX {CUSTOMERS}_search_gin")
        if without in ("indexes", "both"):
            for (name,) in self.db.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT LIKE '%%pkey' AND indexname <> %s",
                [CUSTOMERS, f"{CUSTOMERS}_search_gin"],
            ).fetchall():
                self.db.execute(f'DROP INDEX "{name}"')

    def columns(self, table: str) -> list[str]:
        rows = self.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [name for (name,) in rows if name != "id"]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.db.execute(sql.replace("%", "%%")).fetchall()

    def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        ids = self.db.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(rows)],
        ).fetchall()
        with self.db.cursor().copy(f"COPY {table} (id, {', '.join(columns)}) FROM STDIN") as copy:
            for (new_id,), row in zip(ids, rows, strict=True):
                copy.write_row((new_id, *map(_json_text, row)))

    def execute(self, sql: str) -> None:
        self.db.execute(sql)

    def close(self) -> None:
        self.db.close()
        _psql(f"DROP DATABASE IF EXISTS {self.work_db}")


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-q", "-c", sql], check=True, capture_output=True)


def run(database: _Sqlite | _Postgres, rows: int) -> dict[str, Any]:
    customer_columns = database.columns(CUSTOMERS)
    audit_columns = database.columns(AUDIT)
    customers = database.query(
        f"SELECT {', '.join(customer_columns)} FROM {CUSTOMERS} "
        f"WHERE search_text NOT LIKE '{TOP_UP_MARK}' ORDER BY id LIMIT {rows}"
    )
    audits = database.query(
        f"SELECT {', '.join(audit_columns)} FROM {AUDIT} ORDER BY id LIMIT {rows}"
    )
    tokens = [len(row[customer_columns.index("search_text")].split()) for row in customers]
    result: dict[str, Any] = {
        "rows": len(customers),
        "search_tokens_per_row": round(sum(tokens) / len(tokens), 1),
    }
    half = len(customers) // 2
    for label, part, audit_part in (
        ("customers", customers[:half], None),
        ("customers_and_audit", customers[half:], audits[half:]),
    ):
        started, cpu = time.perf_counter(), _cpu_seconds()
        for start in range(0, len(part), BATCH):
            database.execute("BEGIN")
            database.write(CUSTOMERS, customer_columns, part[start : start + BATCH])
            if audit_part is not None:
                database.write(AUDIT, audit_columns, audit_part[start : start + BATCH])
            database.execute("COMMIT")
        wall = time.perf_counter() - started
        result[label] = {
            "rows": len(part),
            "wall_seconds": round(wall, 2),
            "us_per_row": round(wall / len(part) * 1e6),
            "rows_per_second": round(len(part) / wall),
            "client_cpu_us_per_row": round((_cpu_seconds() - cpu) / len(part) * 1e6),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-sqlite", default="/tmp/gx/imports/base.sqlite3")
    parser.add_argument("--base-pg", default="gx_imports_base")
    parser.add_argument("--work", default="/tmp/gx/import-floor")
    parser.add_argument("--work-pg", default="gx_import_floor")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--without", choices=["", "search", "indexes", "both"], default="")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"without": args.without or None, "loadavg": os.getloadavg()}
    for backend in [name for name in args.backends.split(",") if name]:
        if backend == "sqlite":
            database: _Sqlite | _Postgres = _Sqlite(args.base_sqlite, work, args.without)
        else:
            database = _Postgres(args.base_pg, args.work_pg, args.without)
        try:
            results[backend] = run(database, args.rows)
        finally:
            database.close()
        print(backend, json.dumps(results[backend]), flush=True)
    results["loadavg_end"] = os.getloadavg()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
