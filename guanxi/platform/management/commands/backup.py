"""`guanxi backup [--output PATH]`: one archive with the database, files and a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from guanxi.platform.backup import BackupError, BackupResult, backup_create

COUNT_LABELS = {
    "customers": "客户 customers",
    "contacts": "联系人 contacts",
    "interactions": "跟进记录 interactions",
    "users": "用户 users",
    "audit_entries": "审计记录 audit entries",
}


def print_backup_summary(command: BaseCommand, result: BackupResult) -> None:
    manifest = result.manifest
    database = manifest["database"]
    table = Table(title="备份完成 / Backup written", show_header=False)
    table.add_row("文件 file", str(result.path))
    table.add_row("大小 size", f"{result.size / 1024 / 1024:,.2f} MB")
    table.add_row("版本 version", f"Guanxi {manifest['guanxi_version']}, "
                  f"Django {manifest['django_version']}")  # fmt: skip
    table.add_row(
        "数据库 database",
        f"{database['vendor']} {database['server_version']} ({database['method']})",
    )
    uploaded = sum(1 for name in manifest["files"] if name.startswith("files/"))
    table.add_row("文件数 files", f"{uploaded:,} uploaded / 上传文件")
    for key, label in COUNT_LABELS.items():
        table.add_row(label, f"{manifest['row_counts'].get(key, 0):,}")
    Console(file=command.stdout._out, width=100).print(table)


class Command(BaseCommand):
    # No system checks (they import every URL module and take seconds):
    # a backup is what you take before fixing a failing check.
    requires_system_checks: list[str] = []
    help = "Back up the database and uploaded files into one verified archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="archive path (default: DATA_DIR/backups/…tar.gz)"
        )
        parser.add_argument(
            "--include-secret", action="store_true", help="also store the generated secret key"
        )
        parser.add_argument(
            "--portable",
            action="store_true",
            help="portable dump (dumpdata) instead of the native one: restores into any vendor",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(message: str) -> None:
            if not options["quiet"] and options["verbosity"] > 1:
                self.stdout.write(f"  {message}")

        try:
            result = backup_create(
                output=options["output"],
                include_secret=options["include_secret"],
                portable=options["portable"],
                progress=progress,
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        print_backup_summary(self, result)
