"""`guanxi clv fit TRANSACTIONS.csv --calibration-end 1997-09-30 [--holdout-end 1998-06-30]`

Fits BG/NBD and Gamma-Gamma on an analyst's own transactions and prints JSON:
{"bgnbd": {"r", "alpha", "a", "b", "log_likelihood"}, "gamma_gamma": {"p", "q", "gamma"},
 "customers", "repeat_buyers", ..., "holdout": {...predicted vs actual...}}.
Bad files, columns, values or too little data: a message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guanxi.analytics.clv import TIME_UNITS, fit_summary, summarise_transactions
from guanxi.analytics.clv.transactions import read_transactions
from guanxi.platform.exceptions import ApplicationError
from guanxi.platform.imports.values import ImportValueError, parse_date

EXIT_BAD_INPUT = 2


def _date_argument(value: str) -> datetime.date:
    try:
        return parse_date(value)
    except ImportValueError as error:
        raise argparse.ArgumentTypeError(error.message) from None


class Command(BaseCommand):
    help = "Customer lifetime value models (BG/NBD + Gamma-Gamma) on a transactions file."
    requires_system_checks: list[str] = []  # reads a file; no database, URLs or templates

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        fit = subcommands.add_parser(
            "fit",
            help="fit BG/NBD and Gamma-Gamma on a CSV/XLSX with customer_id, date, amount",
        )
        fit.add_argument("file", help="CSV, XLSX or XLS with columns customer_id, date, amount")
        fit.add_argument("--calibration-end", required=True, type=_date_argument)
        fit.add_argument("--holdout-end", type=_date_argument)
        fit.add_argument("--time-unit", choices=list(TIME_UNITS), default="weeks")
        fit.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "fit":
            self._fit(options)

    def _fit(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(
                _("No such file: %(path)s") % {"path": path}, returncode=EXIT_BAD_INPUT
            )
        calibration_end = options["calibration_end"]
        holdout_end = options["holdout_end"]
        if holdout_end is not None and holdout_end <= calibration_end:
            raise CommandError(
                _("--holdout-end must be after --calibration-end"), returncode=EXIT_BAD_INPUT
            )
        try:
            transactions = read_transactions(path)
            summary = summarise_transactions(
                transactions.customer_ids,
                transactions.dates,
                transactions.amounts,
                calibration_end=calibration_end,
                holdout_end=holdout_end,
                time_unit=options["time_unit"],
            )
            report = fit_summary(summary)
        except ApplicationError as error:
            raise CommandError(error.message, returncode=EXIT_BAD_INPUT) from error
        self.stdout.write(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=options["indent"])
        )
