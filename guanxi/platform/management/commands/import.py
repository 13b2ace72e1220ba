"""`guanxi import FILE --target customers [--preset hubspot] [--dry-run]`: import from the shell.

The import runs in this process (as the same Job a web import would be), with a
rich progress bar; a worker that picks the queued task later finds it claimed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from guanxi.platform.exceptions import ApplicationError
from guanxi.platform.imports.engine import POLICIES
from guanxi.platform.imports.mapping import preset_names
from guanxi.platform.imports.services import import_preview, import_run_here, import_start
from guanxi.platform.models import ImportRun, Job


class Command(BaseCommand):
    help = "Import customers or contacts from a CSV, XLSX, XLS or vCard file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--target", default="customers")
        parser.add_argument("--preset", choices=preset_names())
        parser.add_argument("--mapping", dest="saved_mapping", help="a saved mapping's name")
        parser.add_argument("--policy", choices=POLICIES, default="skip")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--all-or-nothing", action="store_true")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument(
            "--as", dest="username", help="import as this user (default: first admin)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout._out, width=100)
        actor = _actor(options["username"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        common = {
            "actor": actor,
            "path": path,
            "target": options["target"],
            "preset": options["preset"],
            "saved_mapping": options["saved_mapping"],
            "policy": options["policy"],
        }
        try:
            if options["dry_run"]:
                result = import_preview(**common)
                _print_summary(console, result, title="预览 / Dry run")
                return
            run = import_start(
                **common,
                file_name=path.name,
                batch_size=options["batch_size"],
                is_all_or_nothing=options["all_or_nothing"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        _run_with_progress(console, run)
        run.refresh_from_db()
        _print_summary(console, run.summary, title="导入完成 / Import finished")
        if run.error_report:
            console.print(f"错误报告 / error report: {run.error_report}")


def _actor(username: str | None) -> Any:
    from guanxi.accounts.models import User

    users = User.objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else (users.filter(is_superuser=True).order_by("pk").first())
    )
    if user is None:
        raise CommandError(f"No active user {username or '(administrator)'}")
    return user


def _run_with_progress(console: Console, run: ImportRun) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("导入 importing", total=None)

        def show(done: int, total: int) -> None:
            progress.update(task, total=total or None, completed=done)

        import_run_here(run=run, on_progress=show)
    job = Job.objects.get(pk=run.job_id)
    if job.status == Job.Status.FAILED:
        raise CommandError(job.message)


def _print_summary(console: Console, result: dict[str, Any], *, title: str) -> None:
    table = Table(title=title, show_header=False)
    for key, label in (("created", "新建 created"), ("updated", "更新 updated"),
                       ("skipped", "跳过 skipped"), ("failed", "失败 failed")):  # fmt: skip
        table.add_row(label, f"{result.get(key, 0):,}")
    console.print(table)
    for error in result.get("errors", [])[:20]:
        console.print(f"  第 {error['row']} 行 / row {error['row']}: {error['message']}")
