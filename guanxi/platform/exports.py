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


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and other wide characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


XLSX_MAX_WIDTH = 60
XLSX_WIDTH_SAMPLE = 200


def xlsx_write(
    target: Any,
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    sheet_name: str = "Sheet1",
    on_row: Any = None,
) -> int:
    """Write one sheet to `target` (a path or a binary file) in constant memory.

    Every cell is written as neutralised text, so a formula cannot run even after a
    round trip through CSV. Column widths follow the header and the first rows
    (CJK characters count double). Returns the number of data rows written.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        widths = [_display_width(neutralise_cell(h)) for h in header]
        # constant_memory writes rows in order, so the widths come from a sample up front
        buffered: list[list[str]] = []
        iterator = iter(rows)
        for row in iterator:
            cells = [neutralise_cell(cell) for cell in row]
            buffered.append(cells)
            if len(buffered) >= XLSX_WIDTH_SAMPLE:
                break
        for cells in buffered:
            for index, cell in enumerate(cells[: len(widths)]):
                widths[index] = max(widths[index], _display_width(cell))
        for index, width in enumerate(widths):
            sheet.set_column(index, index, min(width + 2, XLSX_MAX_WIDTH))
        sheet.freeze_panes(1, 0)
        for index, title in enumerate(header):
            sheet.write_string(0, index, neutralise_cell(title), bold)
        count = 0

        def write(cells: list[str]) -> None:
            nonlocal count
            count += 1
            for index, cell in enumerate(cells):
                sheet.write_string(count, index, cell)
            if on_row is not None:
                on_row(count)

        for cells in buffered:
            write(cells)
        for row in iterator:
            write([neutralise_cell(cell) for cell in row])
    finally:
        workbook.close()
    return count
