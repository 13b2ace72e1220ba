"""`guanxi reports_refresh [--full]`: bring the sales report aggregate up to date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guanxi.reports.services import sales_month_rebuild, sales_month_refresh


class Command(BaseCommand):
    help = "Refresh the pre-aggregated sales months (only touched months unless --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild from every order")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["full"]:
            result = sales_month_rebuild(actor=None)
        else:
            result = sales_month_refresh(actor=None)
        kind = "rebuilt" if result.is_full else "refreshed"
        self.stdout.write(
            f"Sales months {kind}: {result.months} months, {result.rows} rows, "
            f"{result.duration_ms} ms (as of {result.refreshed_at:%Y-%m-%d %H:%M:%S})."
        )
