"""Writing tabular exports safely: CSV that Excel opens in Chinese, no formula injection.

Issue 4 grows this into the full export engine (XLSX, PDF, jobs); the rules that
hold for every export live here from the start.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """A cell value as text that spreadsheet programs will not evaluate as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """Yield CSV text lines, starting with a UTF-8 BOM so Excel detects the encoding."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([neutralise_cell(cell) for cell in row])
