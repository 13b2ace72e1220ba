"""`guanxi restore ARCHIVE [--force]`: verify an archive, then restore it into an
empty installation (or, with --force, over a non-empty one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from guanxi.platform.backup import BackupError, RestoreResult, backup_restore
from guanxi.platform.management.commands.backup import COUNT_LABELS


def print_restore_summary(command: BaseCommand, result: RestoreResult) -> None:
    manifest = result.manifest
    expected = manifest.get("row_counts", {})
    table = Table(title="恢复完成 / Restore finished")
    table.add_column("表 table")
    table.add_column("备份 archive", justify="right")
    table.add_column("恢复后 restored", justify="right")
    table.add_column("", justify="center")
    for key, label in COUNT_LABELS.items():
        want, got = expected.get(key, 0), result.counts.get(key, 0)
        table.add_row(label, f"{want:,}", f"{got:,}", "✓" if want == got else "≠")
    console = Console(file=command.stdout._out, width=100)
    console.print(table)
    console.print(
        f"来自 / from Guanxi {manifest['guanxi_version']} "
        f"({manifest['database']['vendor']}, {manifest['created_at']}); "
        f"数据库 database: {result.database_method}"
        + ("; 已升级结构 / schema migrated forward" if result.migrated else "")
    )


class Command(BaseCommand):
    # No system checks (they import every URL module and take seconds):
    # a restore must not depend on the state of the installation it replaces.
    requires_system_checks: list[str] = []
    help = "Restore a `guanxi backup` archive into an empty installation (checksums first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the .tar.gz written by `guanxi backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite an installation that already has customers or users",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(f"  {message}")

        try:
            result = backup_restore(
                archive_path=options["archive"], force=options["force"], progress=progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        print_restore_summary(self, result)
        if any(result.counts.get(k, 0) != v for k, v in result.manifest["row_counts"].items()):
            raise CommandError("行数与备份不一致 / Row counts differ from the archive.")
