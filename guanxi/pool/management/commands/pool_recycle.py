"""`guanxi pool_recycle [--date YYYY-MM-DD]`: run the nightly pool recycling now."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from guanxi.pool.services import pool_recycle_run


class Command(BaseCommand):
    help = "Put overdue customers and leads back in the shared pool and warn owners (公海回收)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="run as if today were this date")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("--date must be YYYY-MM-DD") from error
        progress = Progress(
            TextColumn("[bold]公海回收 pool recycling"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            disable=options["no_progress"],
        )
        started = time.perf_counter()
        with progress:
            task = progress.add_task("", total=None)

            def report(done: int, total: int, message: str) -> None:
                progress.update(task, completed=done, total=total, description=message)

            result = pool_recycle_run(today=today, progress=report)
        seconds = time.perf_counter() - started
        table = Table(title=f"公海回收 / pool recycling ({seconds:.1f} s, {result.rules} rules)")
        table.add_column("")
        table.add_column("客户 customers", justify="right")
        table.add_column("线索 leads", justify="right")
        table.add_row(
            "回收 recycled", f"{result.recycled_customers:,}", f"{result.recycled_leads:,}"
        )
        table.add_row("提醒 warned", f"{result.warned_customers:,}", f"{result.warned_leads:,}")
        Console(file=self.stdout, width=100).print(table)
        self.stdout.write(f"notifications sent: {result.notifications:,}")
