"""`guanxi score [--incremental] [--customer ID ...] [--as-of YYYY-MM-DD]`

Runs the scoring (RFM, CLV fit and predictions, churn signals, grades, stages) with a
progress bar and prints what it did, including the bad input it met.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.scoring import note_texts, scores_compute


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from error


class Command(BaseCommand):
    help = "Score customers: RFM, CLV, churn warnings, grades and lifecycle stages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="only customers whose orders, interactions or record changed since the last run",
        )
        parser.add_argument("--customer", type=int, action="append", help="customer id (repeat)")
        parser.add_argument("--as-of", help="score as of this date (default: today)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else None
        progress = Progress(
            TextColumn("[bold]评分 scoring"),
            TextColumn("{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            disable=options["no_progress"],
        )
        with progress:
            task = progress.add_task("", total=6)
            result = scores_compute(
                today=as_of,
                customer_ids=options["customer"],
                incremental=options["incremental"],
                progress=lambda step, done, total: progress.update(
                    task, description=step, completed=done, total=total
                ),
            )
            # The dashboards' pre-aggregated tables follow every scoring run.
            dashboards = dashboard_tables_refresh(
                today=as_of,
                incremental=options["incremental"] or bool(options["customer"]),
                progress=lambda step, done, total: progress.update(
                    task, description=f"dashboards: {step}", completed=done, total=total
                ),
            )
        if options["json"]:
            payload = {**result.__dict__, "dashboards": dashboards.__dict__}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, default=str))
            return
        self.stdout.write(
            _(
                "%(mode)s run: %(customers)s customers scored, %(grades)s grade changes, "
                "%(stages)s stage changes in %(seconds).1f s"
            )
            % {
                "mode": result.mode,
                "customers": result.customers,
                "grades": result.grade_changes,
                "stages": result.stage_changes,
                "seconds": result.seconds,
            }
        )
        self.stdout.write(
            _("Dashboard tables refreshed in %(seconds).1f s") % {"seconds": dashboards.seconds}
        )
        if result.fit_error:
            self.stdout.write(
                _("CLV model not fitted, churn warnings use the rules only: %(error)s")
                % {"error": result.fit_error}
            )
        for text in note_texts(result.notes):
            self.stdout.write(f"- {text}")
