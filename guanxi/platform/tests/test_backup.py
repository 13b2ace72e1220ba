"""`guanxi backup` / `guanxi restore`, run for real in subprocesses on scratch data dirs.

The round trip is proven the way a user would check it: the customer CSV export
(as the admin) and the rows of the other main tables are the same before the
backup and after the restore, and search still finds a customer by name.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
ADMIN_PASSWORD = "Backup-Admin-pw-2026"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
PG_LOCK_KEY = 4_826_001  # advisory lock guarding gx_backup_src / gx_backup_dst

# Printed as JSON by a `guanxi shell -c` in the installation under test.
SNAPSHOT = """
import hashlib, json
from guanxi.accounts.models import User
from guanxi.customers.exports import customer_export_csv
from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.selectors import CustomerFilter
from guanxi.platform.search import search_filter

admin = User.objects.get(username="admin")
csv_text = "".join(customer_export_csv(actor=admin, filters=CustomerFilter()))
tables = {}
for model in (Contact, Interaction, User):
    rows = model._base_manager.order_by("id").values_list()
    tables[model.__name__] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
customers = Customer._base_manager.order_by("id")
probe = customers.filter(kind="individual").first() or customers.first()
found = search_filter(Customer.objects.all(), probe.name) if probe else Customer.objects.none()
print(json.dumps({
    "csv": csv_text,
    "tables": tables,
    "probe": probe.name if probe else None,
    "probe_found": bool(probe) and found.filter(pk=probe.pk).exists(),
    "customers": customers.count(),
}, ensure_ascii=False))
"""


@dataclass
class Installation:
    data_dir: Path
    database_url: str | None = None

    def environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "GUANXI_REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        environment.update(
            GUANXI_DATA_DIR=str(self.data_dir),
            DJANGO_SETTINGS_MODULE="guanxi.settings",
            GUANXI_ADMIN_PASSWORD=ADMIN_PASSWORD,
        )
        if self.database_url:
            environment["DATABASE_URL"] = self.database_url
        return environment

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            [sys.executable, "-m", "guanxi.cli", *args],
            env=self.environment(),
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and completed.returncode != 0:
            raise AssertionError(
                f"guanxi {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def shell_json(self, code: str) -> Any:
        output = self.run("shell", "-c", code).stdout
        return json.loads(output.strip().splitlines()[-1])

    def populate(self, customers: int) -> Any:
        """Migrate, load the demo company and the admin, add files; return a snapshot.

        One `shell` process instead of four commands: each start costs seconds.
        """
        media = self.data_dir / "media" / "attachments"
        media.mkdir(parents=True, exist_ok=True)
        (media / "合同.txt").write_text("客户合同 contract v1\n")
        (self.data_dir / "exports").mkdir(exist_ok=True)
        (self.data_dir / "exports" / "old.csv").write_text("a,b\n")
        setup = (
            "from django.core.management import call_command\n"
            "call_command('migrate', interactive=False, verbosity=0)\n"
            f"call_command('demo', customers={customers}, seed=11, no_progress=True)\n"
            "call_command('createadmin')\n"
        )
        return self.shell_json(setup + SNAPSHOT)


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Installation, Path, Any]:
    """A populated SQLite installation, its snapshot, and a backup of it."""
    installation = Installation(tmp_path_factory.mktemp("gx_source"))
    snapshot = installation.populate(customers=50)
    archive = installation.data_dir.parent / "source-backup.tar.gz"
    installation.run("backup", "--output", str(archive))
    return installation, archive, snapshot


def test_backup_archive_has_database_files_and_a_manifest(source: Any) -> None:
    _, archive, snapshot = source
    manifest = _manifest(archive)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert names == {*manifest["files"], "manifest.json"}
    assert "database/guanxi.sqlite3" in names
    assert "files/media/attachments/合同.txt" in names
    assert "files/exports/old.csv" in names
    assert not any("secret_key" in n or "jobs" in n for n in names)
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["database"]["method"] == "sqlite-backup"
    assert manifest["guanxi_version"] and manifest["django_version"].startswith("5.2")
    on_disk = sorted(p.stem for p in (PROJECT_DIR / "guanxi/customers/migrations").glob("0*.py"))
    assert manifest["migrations"]["customers"] == on_disk[-1]
    assert manifest["row_counts"]["customers"] == snapshot["customers"] == 50
    assert manifest["row_counts"]["users"] > 1
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


def test_round_trip_into_an_empty_installation(source: Any, tmp_path: Path) -> None:
    _, archive, before = source
    target = Installation(tmp_path / "target")
    restored = target.run("restore", str(archive))
    assert "✓" in restored.stdout and "≠" not in restored.stdout

    after = target.shell_json(SNAPSHOT)
    assert after["csv"] == before["csv"]
    assert after["csv"].count("\n") > 50
    assert after["tables"] == before["tables"]
    assert after["probe_found"], f"search lost {after['probe']!r} after restore"
    assert (
        target.data_dir / "media" / "attachments" / "合同.txt"
    ).read_text() == "客户合同 contract v1\n"
    assert (target.data_dir / "exports" / "old.csv").exists()

    # Not empty any more: a second restore is refused, and changes nothing ...
    refused = target.run("restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "--force" in refused.stderr and "not empty" in refused.stderr
    # ... unless forced.
    forced = target.run("restore", str(archive), "--force")
    assert "✓" in forced.stdout and "≠" not in forced.stdout


def test_portable_dump_round_trip_with_the_secret_key(source: Any, tmp_path: Path) -> None:
    """The vendor-neutral path: dumpdata with natural keys, migrate + loaddata."""
    installation, _, before = source
    archive = tmp_path / "portable.tar.gz"
    installation.run("backup", "--portable", "--include-secret", "--output", str(archive))
    manifest = _manifest(archive)
    assert manifest["database"]["method"] == "portable-jsonl"
    assert "files/secret_key" in manifest["files"]
    target = Installation(tmp_path / "target")
    target.run("restore", str(archive))
    secret = (installation.data_dir / "secret_key").read_text()
    assert (target.data_dir / "secret_key").read_text() == secret
    after = target.shell_json(SNAPSHOT)
    assert after["csv"] == before["csv"]
    assert after["tables"] == before["tables"]
    assert after["probe_found"]


def _rewrite(archive: Path, target: Path, member: str, change: Any) -> None:
    """Copy `archive` to `target` with `member`'s bytes passed through `change`."""
    with tarfile.open(archive) as source_tar, tarfile.open(target, "w:gz") as out:
        for info in source_tar.getmembers():
            data = source_tar.extractfile(info).read()
            if info.name == member:
                data = change(data)
                info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def _flip(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _assert_still_empty(target: Installation) -> None:
    """No customer or user table with rows in the target (read directly: no subprocess)."""
    database = target.data_dir / "guanxi.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            for table in ("customers_customer", "accounts_user"):
                if table in tables:
                    assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    assert not (target.data_dir / "media" / "attachments").exists()


def _future(data: bytes) -> bytes:
    manifest = json.loads(data)
    manifest["migrations"]["customers"] = "9999_from_the_future"
    return json.dumps(manifest).encode()


def test_bad_archives_are_refused_before_anything_is_written(source: Any, tmp_path: Path) -> None:
    """Tampered members, a corrupt gzip stream, an archive from newer code.

    The restores run side by side (each in its own empty installation) to keep
    the suite fast; each must fail with its reason and leave its target empty.
    """
    _, archive, _ = source
    db_member, file_member = "database/guanxi.sqlite3", "files/media/attachments/合同.txt"
    for name, member, change in (
        ("db", db_member, _flip),
        ("file", file_member, _flip),
        ("future", "manifest.json", _future),
    ):
        _rewrite(archive, tmp_path / f"{name}.tar.gz", member, change)
    cases = {
        "db": f"checksum mismatch {db_member}",
        "file": f"checksum mismatch {file_member}",
        "future": "customers.9999_from_the_future",
        "corrupt": "nothing was changed",
    }
    (tmp_path / "corrupt.tar.gz").write_bytes(_flip(archive.read_bytes()))
    targets = {name: Installation(tmp_path / f"target-{name}") for name in cases}
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "guanxi.cli", "restore", str(tmp_path / f"{name}.tar.gz")],
            env=target.environment(),
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, target in targets.items()
    }
    for name, process in processes.items():
        _, stderr = process.communicate(timeout=300)
        assert process.returncode != 0, name
        assert cases[name] in stderr, (name, stderr)
        assert "nothing was changed" in stderr or name == "future", (name, stderr)
        _assert_still_empty(targets[name])


# --- PostgreSQL ---------------------------------------------------------------


def _postgres_reason() -> str | None:
    """Why the PostgreSQL round trip cannot run here (None: it can)."""
    import shutil

    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        return "pg_dump/pg_restore not on PATH"
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            pass
    except OSError as error:
        return f"no PostgreSQL at 127.0.0.1:5432 ({error})"
    return None


def _recreate_databases(*names: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                admin.execute(f'CREATE DATABASE "{name}"')


def test_postgresql_round_trip_with_pg_dump_and_from_a_sqlite_archive(
    source: Any, tmp_path: Path
) -> None:
    reason = _postgres_reason()
    if reason:
        print(f"skipping the PostgreSQL round trip: {reason}")
        pytest.skip(reason)
    import psycopg

    names = ("gx_backup_src", "gx_backup_dst")
    lock = None
    try:
        # Two test runs at once (parallel sessions, CI shards) would drop each
        # other's scratch databases: the fixed names are taken under a server lock.
        lock = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
        lock.execute("SELECT pg_advisory_lock(%s)", [PG_LOCK_KEY])
        _recreate_databases(*names)
    except Exception as error:  # reachable port, but not a server we may use
        if lock is not None:
            lock.close()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"cannot create scratch databases: {error}")
    try:
        # A SQLite archive restored into PostgreSQL goes through the portable path
        # (migrate + loaddata); that database is then the source of a pg_dump backup.
        _, sqlite_archive, before = source
        pg_source = Installation(tmp_path / "pg_source", PG_URL.format(name=names[0]))
        pg_source.run("restore", str(sqlite_archive))
        crossed = pg_source.shell_json(SNAPSHOT)
        assert crossed["csv"] == before["csv"]
        assert crossed["probe_found"]

        archive = tmp_path / "pg.tar.gz"
        pg_source.run("backup", "--output", str(archive))
        manifest = _manifest(archive)
        assert manifest["database"]["vendor"] == "postgresql"
        assert manifest["database"]["method"] == "pg_dump-custom"

        pg_target = Installation(tmp_path / "pg_target", PG_URL.format(name=names[1]))
        pg_target.run("restore", str(archive))
        after = pg_target.shell_json(SNAPSHOT)
        assert after["csv"] == before["csv"]
        assert after["tables"] == crossed["tables"]
        assert after["probe_found"]
    finally:
        try:
            _recreate_databases(*names, drop_only=True)
        finally:
            lock.close()  # ends the session, which releases the advisory lock
