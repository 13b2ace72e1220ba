"""`guanxi find_duplicates [--user USERNAME]`: find likely duplicate customers now.

Without --user the run looks at every live customer (an operator's run); with
it, only at that user's scope, exactly like the "find duplicates now" button.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from guanxi.customers.duplicates import duplicates_find, finder_customer_count


class Command(BaseCommand):
    help = "Find likely duplicate customers (same phone, e-mail, pinyin name, company name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="run in this user's data scope")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        total = finder_customer_count(actor=actor)
        progress = Progress(
            TextColumn("[bold]查重 duplicates"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=options["no_progress"],
        )
        started = time.perf_counter()
        with progress:
            task = progress.add_task("customers", total=total)
            result = duplicates_find(
                actor=actor, progress=lambda count, _message: progress.advance(task, count)
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"疑似重复 / likely duplicates: {result.pairs:,} pairs among "
            f"{result.customers:,} customers in {seconds:.1f} s."
        )
