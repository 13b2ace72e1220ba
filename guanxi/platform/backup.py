"""Backup and restore of a whole installation: database, uploaded files, manifest.

One archive (`.tar.gz`) holds everything a new box needs to carry on:

    database/guanxi.sqlite3   SQLite, copied with the online backup API
    database/guanxi.pgdump    PostgreSQL, `pg_dump --format=custom`
    database/data.jsonl       the portable dump (Django `dumpdata`), any vendor
    files/<folder>/...        media, exports, imports (and the secret key if asked)
    manifest.json             versions, migrations, row counts, SHA-256 of every file

The manifest is the last member, so the archive is written in one streaming pass:
every member is hashed while it is copied into the archive. A restore unpacks into
a staging folder first and checks every checksum before it touches the target, so
a tampered or truncated archive changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from guanxi.platform.exceptions import ApplicationError

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
SQLITE_MEMBER = "database/guanxi.sqlite3"
PGDUMP_MEMBER = "database/guanxi.pgdump"
PORTABLE_MEMBER = "database/data.jsonl"
# Folders of GUANXI_DATA_DIR that hold user files. The job queue (jobs*.sqlite3),
# collected static files and the secret key are left out on purpose: the queue
# holds transient work, static files come from the code, the key is asked for.
FILE_FOLDERS = ("media", "exports", "imports")
# Main tables whose row counts go into the manifest and are compared on restore.
COUNTED_MODELS = {
    "customers": "customers.Customer",
    "contacts": "customers.Contact",
    "interactions": "customers.Interaction",
    "users": "accounts.User",
    "audit_entries": "platform.AuditEntry",
}
# Left out of the portable dump: `migrate` recreates content types and permissions
# (natural keys point at them), sessions are only log-ins.
PORTABLE_EXCLUDE = ["contenttypes", "auth.permission", "sessions"]
SEARCH_TABLES = ("customers_customer", "customers_contact")
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(ApplicationError):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    counts: dict[str, int] = field(default_factory=dict)
    database_method: str = ""
    migrated: bool = False


# --- helpers -----------------------------------------------------------------


def guanxi_version() -> str:
    """The installed package version, else the one in pyproject.toml (a checkout)."""
    try:
        return importlib.metadata.version("guanxi")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(settings.BASE_DIR).parent / "pyproject.toml"
        match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(), re.MULTILINE)
        return match.group(1) if match else "unknown"


def _vendor_version() -> str:
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        number = connection.pg_version  # e.g. 150020
        return f"{number // 10000}.{number % 10000}"
    return ""


def _table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def applied_migrations() -> dict[str, str]:
    """Per app, the name of the latest applied migration (empty on a fresh database).

    "Latest" is the highest name: Django numbers migrations, so names sort in order.
    """
    if "django_migrations" not in _table_names():
        return {}
    latest: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            if name > latest.get(app, ""):
                latest[app] = name
    return latest


def _counted_tables() -> dict[str, str]:
    return {key: apps.get_model(label)._meta.db_table for key, label in COUNTED_MODELS.items()}


def _count_rows(cursor: Any, existing: set[str]) -> dict[str, int]:
    counts = {}
    for key, table in _counted_tables().items():
        if table in existing:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[key] = cursor.fetchone()[0]
        else:
            counts[key] = 0
    return counts


def row_counts() -> dict[str, int]:
    """Row counts of the main tables in the configured database (0 where missing).

    Raw counts, so soft-deleted rows in the recycle bin are counted too: they are
    part of the backup as well.
    """
    existing = _table_names()
    with connection.cursor() as cursor:
        return _count_rows(cursor, existing)


def _sqlite_row_counts(path: Path) -> dict[str, int]:
    """Counts taken from the backup copy itself, so they match what is in the archive."""
    source = sqlite3.connect(path)
    try:
        cursor = source.cursor()
        existing = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master")}
        return _count_rows(cursor, existing)
    finally:
        source.close()


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing it, so each file is read only once."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add_file(archive: tarfile.TarFile, path: Path, arcname: str, files: dict[str, Any]) -> None:
    """Stream `path` into the archive and note its checksum and size in `files`.

    The size is fixed when the header is written; a file that grows meanwhile is
    cut at that size, and the checksum is of exactly the bytes that went in.
    """
    with path.open("rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=arcname)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    files[arcname] = {"sha256": reader.digest.hexdigest(), "size": reader.size}


def _file_sources(include_secret: bool) -> Iterator[tuple[Path, str]]:
    data_dir = Path(settings.DATA_DIR)
    folders = {"media": Path(settings.MEDIA_ROOT)}
    folders.update({name: data_dir / name for name in FILE_FOLDERS if name != "media"})
    for name, folder in folders.items():
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path, f"files/{name}/{path.relative_to(folder).as_posix()}"
    secret = data_dir / "secret_key"
    if include_secret and secret.is_file():
        yield secret, "files/secret_key"


# --- database dumps ------------------------------------------------------------


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_backup(target: Path, progress: Progress) -> None:
    """Copy the live database with SQLite's online backup API.

    Safe while the app runs (readers and the writer carry on; the copy is one
    consistent snapshot), and the FTS5 shadow tables come along as ordinary pages.
    The copy leaves WAL mode so the archive holds one self-contained file.
    """
    source = sqlite3.connect(_sqlite_path())
    destination = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=10000")

        def report(status: int, remaining: int, total: int) -> None:
            progress(f"SQLite pages {total - remaining:,}/{total:,}")

        source.backup(destination, pages=4096, progress=report)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()


def _pg_environment() -> dict[str, str]:
    """libpq variables for pg_dump/pg_restore, so no password appears in `ps`."""
    db = settings.DATABASES["default"]
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE"),
    ):  # fmt: skip
        if db.get(key):
            environment[variable] = str(db[key])
    return environment


def pg_tool_usable(tool: str) -> tuple[bool, str]:
    """Is `tool` (pg_dump/pg_restore) on PATH and at least the server's major version?

    pg_dump refuses servers newer than itself, and its custom format can only be
    read by a pg_restore as new as the pg_dump that wrote it.
    """
    binary = shutil.which(tool)
    if not binary:
        return False, f"{tool} not on PATH"
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\)\s*(\d+)", output.stdout)  # "pg_dump (PostgreSQL) 15.20 ..."
    tool_major = int(match.group(1)) if match else None
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if tool_major is None or tool_major < server_major:
        return False, f"{output.stdout.strip()} is older than the server ({server_major})"
    return True, output.stdout.strip()


def _pg_dump(target: Path) -> None:
    completed = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_dump failed / pg_dump 失败: {completed.stderr.strip()}")


class _ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django cuts them to
    milliseconds, so a round trip would change every timestamp)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class Serializer(jsonl.Serializer):
    """JSON Lines with exact timestamps; registered as PORTABLE_FORMAT for dumpdata.

    The output is plain JSON Lines, so `loaddata data.jsonl` reads it back.
    """

    def _init_options(self) -> None:
        super()._init_options()
        self.json_kwargs["cls"] = _ExactJSONEncoder


Deserializer = jsonl.Deserializer
PORTABLE_FORMAT = "guanxi-jsonl"


def _portable_dump(target: Path, database: str = "default") -> None:
    """All apps as JSON lines, streamed by dumpdata: restorable into any vendor.

    Foreign keys to content types and permissions are natural keys, because
    `migrate` recreates those on the target with other ids. Primary keys are kept
    (no --natural-primary): ids appear in URLs, saved filters and audit entries,
    and a user deleted in the past would otherwise shift every later user's id.
    """
    serializers.register_serializer(PORTABLE_FORMAT, __name__)
    call_command(
        "dumpdata",
        format=PORTABLE_FORMAT,
        natural_foreign=True,
        exclude=PORTABLE_EXCLUDE,
        output=str(target),
        database=database,
        verbosity=0,
    )


# --- backup ------------------------------------------------------------------------


def default_backup_path(now: dt.datetime | None = None) -> Path:
    when = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"guanxi-backup-{when}.tar.gz"


def backup_create(
    *,
    output: Path | None = None,
    include_secret: bool = False,
    portable: bool = False,
    progress: Progress = lambda message: None,
) -> BackupResult:
    """Write one archive of the database, the user files and a manifest.

    The database dump goes to a staging folder beside the archive (same disk, no
    /tmp size surprises), then everything is streamed into the archive with its
    checksum. The archive is written under a temporary name and renamed at the end,
    so a half-written file never looks like a backup.
    """
    output = Path(output or default_backup_path()).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    migrations = applied_migrations()
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "guanxi_version": guanxi_version(),
        "django_version": django.get_version(),
        "database": {"vendor": vendor, "server_version": _vendor_version()},
        "migrations": migrations,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "includes_secret_key": include_secret,
    }
    files: dict[str, Any] = {}
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".guanxi-backup-") as staging:
        staging_dir = Path(staging)
        if vendor == "sqlite" and not portable:
            dump, member, method = staging_dir / "db.sqlite3", SQLITE_MEMBER, "sqlite-backup"
            progress("SQLite online backup / 在线备份数据库")
            _sqlite_backup(dump, progress)
            manifest["row_counts"] = _sqlite_row_counts(dump)
        elif vendor == "postgresql" and not portable and pg_tool_usable("pg_dump")[0]:
            dump, member, method = staging_dir / "db.pgdump", PGDUMP_MEMBER, "pg_dump-custom"
            progress("pg_dump --format=custom")
            manifest["row_counts"] = row_counts()
            _pg_dump(dump)
        else:
            dump, member, method = staging_dir / "data.jsonl", PORTABLE_MEMBER, "portable-jsonl"
            progress("dumpdata (portable) / 可移植导出")
            manifest["row_counts"] = row_counts()
            _portable_dump(dump)
        manifest["database"]["method"] = method
        manifest["database"]["member"] = member
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                _add_file(archive, dump, member, files)
                dump.unlink()
                for path, arcname in _file_sources(include_secret):
                    progress(arcname)
                    _add_file(archive, path, arcname, files)
                manifest["files"] = files
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size = len(body)
                info.mtime = int(dt.datetime.now().timestamp())
                archive.addfile(info, io.BytesIO(body))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    output.chmod(0o600)  # it holds every customer's phone number
    return BackupResult(path=output, size=output.stat().st_size, manifest=manifest)


# --- restore -----------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_unpack(archive_path: Path, staging: Path) -> dict[str, Any]:
    """Unpack into `staging` and verify every member against the manifest.

    Refuses (BackupError) a damaged archive, a member whose checksum or size
    differs, a member missing from the manifest or a listed file that is absent.
    Nothing outside `staging` is written ("data" filter: no absolute paths,
    links out of the folder or device files).
    """
    if not archive_path.is_file():
        raise BackupError(f"找不到备份文件 / Backup file not found: {archive_path}")
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, zlib.error, EOFError, OSError) as error:
        raise BackupError(
            f"备份文件已损坏，未做任何更改 / The archive is damaged, nothing was changed: {error}"
        ) from error
    manifest_path = staging / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError(
            "备份不完整（没有 manifest.json），未做任何更改 / The archive is incomplete "
            "(no manifest.json), nothing was changed."
        )
    try:
        manifest = json.loads(manifest_path.read_text())
        listed: dict[str, Any] = manifest["files"]
    except (ValueError, KeyError) as error:
        raise BackupError(
            f"manifest.json 无效，未做任何更改 / manifest.json is invalid, nothing was changed: "
            f"{error}"
        ) from error
    present = {
        path.relative_to(staging).as_posix()
        for path in staging.rglob("*")
        if path.is_file() and path != manifest_path
    }
    problems = [f"unexpected file {name}" for name in sorted(present - set(listed))]
    for name, expected in sorted(listed.items()):
        path = staging / name
        if name not in present:
            problems.append(f"missing {name}")
        elif path.stat().st_size != expected["size"] or _sha256(path) != expected["sha256"]:
            problems.append(f"checksum mismatch {name}")
    if problems:
        raise BackupError(
            "备份校验失败，未做任何更改 / Checksum verification failed, nothing was changed: "
            + "; ".join(problems[:10])
        )
    return manifest


def migrations_check(manifest: dict[str, Any]) -> None:
    """Refuse an archive made by newer code: its tables would not match our models.

    An older archive is fine: `migrate` brings it forward after the restore.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    newer = [
        f"{app}.{name}"
        for app, name in sorted(manifest.get("migrations", {}).items())
        if (app, name) not in known
    ]
    if newer:
        raise BackupError(
            "备份来自更新版本的 Guanxi，请先升级 / The archive comes from a newer Guanxi "
            f"(unknown migrations: {', '.join(newer)}); upgrade first."
        )


def installation_is_empty() -> tuple[bool, dict[str, int]]:
    """Empty means no customers and no users (tables missing count as empty)."""
    counts = row_counts()
    return counts["customers"] == 0 and counts["users"] == 0, counts


def _sqlite_restore(source: Path) -> None:
    """Replace the configured SQLite database's content with the archived copy.

    Done with the backup API into the configured file, which rewrites it page by page
    under SQLite's own locking (and its WAL), instead of swapping files under a
    process that may hold the old one open.
    """
    connections.close_all()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    archived = sqlite3.connect(source)
    target = sqlite3.connect(target_path)
    try:
        target.execute("PRAGMA busy_timeout=10000")
        archived.backup(target)
    finally:
        target.close()
        archived.close()


def _pg_restore(dump: Path) -> None:
    ok, reason = pg_tool_usable("pg_restore")
    if not ok:
        raise BackupError(f"无法使用 pg_restore / pg_restore cannot be used: {reason}")
    connections.close_all()
    completed = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
         "--single-transaction", "--dbname", settings.DATABASES["default"]["NAME"], str(dump)],
        env=_pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise BackupError(f"pg_restore 失败 / pg_restore failed: {completed.stderr.strip()}")


def _portable_from_sqlite(source: Path, target: Path) -> None:
    """Turn an archived SQLite file into the portable dump (for another vendor).

    The file is opened as a second, temporary Django database so dumpdata reads it
    with the same models and natural keys.
    """
    alias = "guanxi_archive"
    connections.settings[alias] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(source),
        "OPTIONS": {},
        "HOST": "",
        "PORT": "",
        "USER": "",
        "PASSWORD": "",
    }
    try:
        _portable_dump(target, database=alias)
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _portable_load(dump: Path) -> None:
    """`migrate`, clear what migrations seeded, then load the dump in one transaction."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=False)
    call_command("loaddata", str(dump), verbosity=0)


def search_index_rebuild() -> None:
    """Rebuild SQLite's FTS5 external-content indexes from the restored rows.

    The archived index pages are normally already right; rebuilding costs seconds
    and guarantees the index matches the rows, whatever path the data took.
    PostgreSQL keeps its tsvector as a stored generated column: nothing to do.
    """
    if connection.vendor != "sqlite":
        return
    existing = _table_names()
    with connection.cursor() as cursor:
        for table in SEARCH_TABLES:
            fts = f"{table}_fts"
            if fts in existing:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES('rebuild')")


def _files_restore(staging: Path) -> None:
    data_dir = Path(settings.DATA_DIR)
    targets = {"media": Path(settings.MEDIA_ROOT)}
    targets.update({name: data_dir / name for name in FILE_FOLDERS if name != "media"})
    files_dir = staging / "files"
    for name, target in targets.items():
        source = files_dir / name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
    secret = files_dir / "secret_key"
    if secret.is_file():
        shutil.copy2(secret, data_dir / "secret_key")
        (data_dir / "secret_key").chmod(0o600)


def backup_restore(
    *, archive_path: Path, force: bool = False, progress: Progress = lambda message: None
) -> RestoreResult:
    """Restore an archive into this installation, checking before writing anything.

    Order matters: verify every checksum, check migrations, check the target is
    empty (unless `force`), and only then replace the database, bring its schema
    forward with `migrate`, rebuild the search index and copy the files back.
    """
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".guanxi-restore-") as staging:
        staging_dir = Path(staging)
        progress("校验备份 / verifying the archive")
        manifest = archive_unpack(Path(archive_path), staging_dir)
        migrations_check(manifest)
        is_empty, counts = installation_is_empty()
        if not is_empty and not force:
            raise BackupError(
                "目标系统已有数据（"
                f"{counts['customers']:,} 客户 customers, {counts['users']:,} 用户 users），"
                "未做任何更改；确认覆盖请加 --force / The target installation is not empty, "
                "nothing was changed; use --force to overwrite it."
            )
        database = manifest["database"]
        member = staging_dir / database["member"]
        vendor = connection.vendor
        result = RestoreResult(manifest=manifest)
        progress("恢复数据库 / restoring the database")
        if database["method"] == "sqlite-backup" and vendor == "sqlite":
            _sqlite_restore(member)
            result.database_method = "sqlite-backup"
        elif database["method"] == "pg_dump-custom" and vendor == "postgresql":
            _pg_restore(member)
            result.database_method = "pg_restore"
        elif database["method"] == "sqlite-backup":
            portable = staging_dir / "converted.jsonl"
            _portable_from_sqlite(member, portable)
            _portable_load(portable)
            result.database_method = "sqlite→portable→loaddata"
        elif database["method"] == "portable-jsonl":
            _portable_load(member)
            result.database_method = "loaddata"
        else:
            raise BackupError(
                f"无法把 {database['vendor']} 的 {database['method']} 备份恢复到 {vendor} / "
                f"A {database['method']} dump of {database['vendor']} cannot be restored into "
                f"{vendor}; make the backup with --portable."
            )
        connections.close_all()
        before = applied_migrations()
        call_command("migrate", interactive=False, verbosity=0)
        result.migrated = applied_migrations() != before
        # The database cache table is not a model: a portable dump does not carry it.
        call_command("createcachetable", verbosity=0)
        progress("重建搜索索引 / rebuilding the search index")
        search_index_rebuild()
        progress("恢复文件 / restoring files")
        _files_restore(staging_dir)
        result.counts = row_counts()
    return result
