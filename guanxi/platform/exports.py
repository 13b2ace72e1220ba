"""Writing tabular exports safely and fast: CSV that Excel opens in Chinese, XLSX in
constant memory, no formula injection.

A million-row export spends its time in per-cell Python, so the writers here do as
little per cell as they can: CSV goes through one `csv.writer` on the file, and the
XLSX sheet rows are written as inline-string XML straight into the zip stream, with
xlsxwriter producing everything around them (styles, widths, frozen header).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

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


def csv_write(
    handle: IO[str],
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write the same CSV as `csv_rows` to an open text file; returns the data row count."""
    handle.write("\ufeff")
    writer = csv.writer(handle)
    writer.writerow([neutralise_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
        count += 1
        if on_row is not None:
            on_row(count)
    return count


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK and other wide characters count twice."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


XLSX_MAX_WIDTH = 60
XLSX_WIDTH_SAMPLE = 200
XLSX_MAX_COLUMNS = 16384
XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell
XLSX_SHEET_PATH = "xl/worksheets/sheet1.xml"

# what a cell's text needs before it goes into <t>…</t> (the same rules as xlsxwriter)
_NEEDS_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# the same without the edge-space rule, to look at a whole row at once (a false hit
# where two cells meet only costs the slow path)
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_PRESERVE = ' xml:space="preserve"'
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xlsx_cell(ref: str, text: str) -> str:
    """One inline-string cell; `text` is already neutralised."""
    if len(text) > XLSX_MAX_CELL:
        text = text[:XLSX_MAX_CELL]
    space = ""
    if _NEEDS_CARE.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if text[:1].isspace() or text[-1:].isspace():
            space = ' xml:space="preserve"'
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _xlsx_frame(header: list[str], widths: list[int], sheet_name: str) -> tuple[bytes, str]:
    """A finished one-sheet workbook holding only the header (bold, frozen, column widths).

    Returns the workbook bytes and the sheet name the rows are spliced into.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    for index, width in enumerate(widths):
        sheet.set_column(index, index, min(width + 2, XLSX_MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    for index, title in enumerate(header):
        sheet.write_string(0, index, neutralise_cell(title), bold)
    workbook.close()
    return buffer.getvalue(), XLSX_SHEET_PATH


def xlsx_write(
    target: Any,
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    sheet_name: str = "Sheet1",
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write one sheet to `target` (a path or a binary file) in constant memory.

    Every cell is written as neutralised text (an inline string), so a formula cannot
    run even after a round trip through CSV. Column widths follow the header and the
    first rows (CJK characters count double). Returns the number of data rows written.
    """
    widths = [_display_width(neutralise_cell(h)) for h in header]
    # the sheet is written in row order, so the widths come from a sample up front
    buffered: list[list[str]] = []
    iterator = iter(rows)
    for row in iterator:
        buffered.append([neutralise_cell(cell) for cell in row])
        if len(buffered) >= XLSX_WIDTH_SAMPLE:
            break
    for cells in buffered:
        for index, cell in enumerate(cells[: len(widths)]):
            widths[index] = max(widths[index], _display_width(cell))

    frame, sheet_path = _xlsx_frame(header, widths, sheet_name)
    columns = [_column_name(index) for index in range(XLSX_MAX_COLUMNS)]
    count = 0
    with (
        zipfile.ZipFile(io.BytesIO(frame)) as source,
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            if info.filename != sheet_path:
                out.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        sheet_xml = source.read(sheet_path).decode("utf-8")
        head, _rows_end, tail = sheet_xml.partition("</sheetData>")
        # the header-only <dimension> would be wrong; it is optional, so it goes
        head = re.sub(r"<dimension [^>]*/>", "", head, count=1)
        with out.open(sheet_path, "w", force_zip64=True) as stream:
            stream.write(head.encode("utf-8"))
            lines: list[str] = []

            def write(cells: list[str]) -> None:
                nonlocal count
                count += 1
                number = count + 1
                joined = "".join(cells)
                if len(joined) > XLSX_MAX_CELL or _NEEDS_ESCAPE.search(joined):
                    row = "".join(
                        [
                            _xlsx_cell(f"{column}{number}", cell)
                            for column, cell in zip(columns, cells, strict=False)
                            if cell
                        ]
                    )
                else:  # the usual row: nothing to escape, only edge spaces to keep
                    row = "".join(
                        [
                            f'<c r="{column}{number}" t="inlineStr"><is><t'
                            f"{_PRESERVE if cell != cell.strip() else ''}>{cell}</t></is></c>"
                            for column, cell in zip(columns, cells, strict=False)
                            if cell
                        ]
                    )
                lines.append(f'<row r="{number}">{row}</row>')
                if len(lines) >= 500:
                    stream.write("".join(lines).encode("utf-8"))
                    lines.clear()
                if on_row is not None:
                    on_row(count)

            for cells in buffered:
                write(cells)
            del buffered
            for row in iterator:
                write([neutralise_cell(cell) for cell in row])
            stream.write("".join(lines).encode("utf-8"))
            stream.write(("</sheetData>" + tail).encode("utf-8"))
    return count


# ---------------------------------------------------------------- clean-up
FILES_PURGED_ACTION = "platform.files.purged"


def _newest_mtime(path: Any) -> float:
    if path.is_dir():
        times = [p.stat().st_mtime for p in path.rglob("*") if p.is_file()]
        return max(times, default=path.stat().st_mtime)
    return path.stat().st_mtime


def generated_files_purge(*, older_than_days: int | None = None) -> dict[str, int]:
    """Delete export files and import files (uploads, stored copies, error reports)
    older than the retention period; one audit entry says how many went.

    An export lives in DATA_DIR/exports/<job id>/ and goes as a whole once its newest
    file is older than the cut-off; import files live in DATA_DIR/imports/ (and its
    uploads/ folder). Run nightly by `generated_files_purge_task`.
    """
    import shutil
    import time
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction

    from guanxi.platform.audit import audit_record

    days = settings.GUANXI["FILE_RETENTION_DAYS"] if older_than_days is None else older_than_days
    cutoff = time.time() - max(int(days), 0) * 86400
    data_dir = Path(settings.DATA_DIR)
    purged = {"exports": 0, "imports": 0}
    exports = data_dir / "exports"
    for entry in sorted(exports.iterdir()) if exports.is_dir() else []:
        try:
            if _newest_mtime(entry) < cutoff:
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                purged["exports"] += 1
        except FileNotFoundError:  # a second purge (or a user) got there first
            continue
    imports = data_dir / "imports"
    for entry in sorted(imports.rglob("*")) if imports.is_dir() else []:
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                entry.unlink()
                purged["imports"] += 1
        except FileNotFoundError:
            continue
    if any(purged.values()):
        with transaction.atomic():
            audit_record(
                actor=None,
                action=FILES_PURGED_ACTION,
                instance=None,
                object_type="platform.files",
                changes={**purged, "older_than_days": int(days)},
            )
    return purged
