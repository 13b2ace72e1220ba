"""`guanxi export customers --format xlsx [--filter grade=A] [--as USER] [--output PATH]`.

The export runs in this process as the same Job a web export would be (same scope,
masking and audit entry), with a rich progress bar; the file is then copied to
--output (default: the current directory).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from guanxi.customers.exports import FORMATS, export_file, export_run_here, export_start
from guanxi.platform.exceptions import ApplicationError
from guanxi.platform.models import Job


class Command(BaseCommand):
    help = "Export customers or contacts (CSV, XLSX, PDF, vCard) with the list's filters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["customers", "contacts", "customer"])
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx", "pdf", "vcf"],
                            default="xlsx")  # fmt: skip
        parser.add_argument(
            "--filter", dest="filters", action="append", default=[], metavar="KEY=VALUE",
            help="a list filter as on the list page, e.g. grade=A, q=张, owner=3 (repeatable)",
        )  # fmt: skip
        parser.add_argument("--customer", dest="customer_id", type=int,
                            help="the customer of a one-customer PDF")  # fmt: skip
        parser.add_argument("--vcard-version", choices=["4.0", "3.0"], default="4.0")
        parser.add_argument(
            "--as", dest="username", help="export as this user (default: first admin)"
        )
        parser.add_argument("--output", help="file or directory to write (default: .)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout._out, width=100)
        kind, fmt = options["kind"], options["fmt"]
        if fmt not in FORMATS[kind]:
            raise CommandError(
                f"{kind} cannot be exported as {fmt}: use {', '.join(FORMATS[kind])}"
            )
        actor = _actor(options["username"])
        try:
            job = export_start(
                actor=actor,
                kind=kind,
                format=fmt,
                filters=_filters(options["filters"]),
                customer_id=options["customer_id"],
                vcard_version=options["vcard_version"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn())  # fmt: skip
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("导出 exporting", total=None)
            job = export_run_here(
                job=job,
                on_progress=lambda done, total: progress.update(
                    task, total=total or None, completed=done
                ),
            )
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(job.message or job.get_status_display())
        source, _content_type = export_file(actor=actor, job_id=job.pk)
        target = Path(options["output"] or ".")
        if target.is_dir():
            target = target / source.name
        shutil.copyfile(source, target)
        console.print(f"{job.result.get('count', 0):,} 行 / rows → {target}")


def _filters(pairs: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--filter wants KEY=VALUE, not {pair!r}")
        filters.setdefault(key.strip(), []).append(value)
    return filters


def _actor(username: str | None) -> Any:
    from guanxi.accounts.models import User

    users = User.objects.filter(is_active=True)
    user = (
        users.filter(username=username).first()
        if username
        else users.filter(is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(f"No active user {username or '(administrator)'}")
    return user
