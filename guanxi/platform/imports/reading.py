"""Open an uploaded file safely and stream its rows.

The type is sniffed from the content, never the extension. CSV text is decoded
line by line with the detected encoding, so a file that switches encoding half
way is refused with the line number instead of importing mojibake. Rows are
yielded one at a time; XLSX/XLS sheets are read by python-calamine (which holds
one sheet in native memory, far smaller than Python objects).
"""

from __future__ import annotations

import csv
import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

from guanxi.platform.exceptions import ApplicationError

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
VCARD_HEADERS = ["FN", "ORG", "TITLE", "TEL", "EMAIL", "NOTE", "BDAY"]


class ImportFileError(ApplicationError):
    """The file as a whole cannot be read; the message says why, for the user."""

    code = "import_file_error"


@dataclass
class Row:
    number: int  # 1-based line/row number in the file, the header being row 1
    cells: list[Any]
    extra_cells: list[Any] = field(default_factory=list)  # beyond the header: a ragged row


@dataclass
class Table:
    path: Path
    kind: str  # "csv" | "xlsx" | "xls" | "vcard"
    headers: list[str]
    encoding: str = ""
    delimiter: str = ""

    def rows(self) -> Iterator[Row]:
        """Stream the data rows; each call reads the file again from the start."""
        if self.kind == "csv":
            raw = _csv_rows(self.path, self.encoding, self.delimiter)
        elif self.kind == "vcard":
            raw = _vcard_rows(self.path)
        else:
            raw = _sheet_rows(self.path)
        next(raw, None)  # the header
        width = len(self.headers)
        for number, cells in raw:
            if not any(_has_value(cell) for cell in cells):
                continue
            extra = [cell for cell in cells[width:] if _has_value(cell)]
            padded = list(cells[:width]) + [""] * (width - len(cells))
            yield Row(number=number, cells=padded, extra_cells=extra)

    def count_rows(self) -> int:
        """How many rows rows() yields (for progress), without building them."""
        if self.kind != "csv":
            return sum(1 for _row in self.rows())
        raw = _csv_rows(self.path, self.encoding, self.delimiter)
        next(raw, None)  # the header
        return sum(1 for _number, cells in raw if any(_has_value(cell) for cell in cells))


def max_import_bytes() -> int:
    return int(getattr(settings, "GUANXI_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def open_table(path: str | Path) -> Table:
    """Sniff, size-check and open `path`; raise ImportFileError with a clear message."""
    path = Path(path)
    size = path.stat().st_size
    limit = max_import_bytes()
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    kind = sniff_kind(path, sample)
    table = Table(path=path, kind=kind, headers=[])
    if kind == "csv":
        table.encoding = detect_encoding(sample, is_complete=size <= SAMPLE_BYTES)
        table.delimiter = sniff_delimiter(sample.decode(table.encoding, errors="ignore"))
        raw = _csv_rows(path, table.encoding, table.delimiter)
    elif kind == "vcard":
        raw = _vcard_rows(path)
    else:
        raw = _sheet_rows(path)
    first = next(raw, None)
    while first is not None and not any(_has_value(cell) for cell in first[1]):
        first = next(raw, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    table.headers = unique_headers(first[1])
    if next(table.rows(), None) is None:
        raise ImportFileError(_("The file has a header row but no data rows."))
    return table


def sniff_kind(path: Path, sample: bytes) -> str:
    if sample.startswith(ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(path) as archive:
                if "xl/workbook.xml" in archive.namelist():
                    return "xlsx"
        except zipfile.BadZipFile:
            pass
        raise ImportFileError(
            _("This is a ZIP archive, not a spreadsheet. Upload a CSV, XLSX, XLS or vCard file.")
        )
    if sample.startswith(OLE2_SIGNATURE):
        return "xls"
    if b"\x00" in sample:
        raise ImportFileError(
            _(
                "This file is not a spreadsheet or text file (whatever its name says). "
                "Upload a CSV, XLSX, XLS or vCard file."
            )
        )
    head = sample.lstrip(b"\xef\xbb\xbf \t\r\n")[:11].upper()
    if head.startswith(b"BEGIN:VCARD"):
        return "vcard"
    return "csv"


def detect_encoding(sample: bytes, *, is_complete: bool) -> str:
    """UTF-8 (with or without BOM) first, else what charset-normalizer finds among Chinese ones."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    text_sample = sample if is_complete else sample[: sample.rfind(b"\n") + 1] or sample
    try:
        text_sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for line in text_sample.splitlines():
        if _is_utf8_text(line):
            raise ImportFileError(_mixed_message())
    best = from_bytes(text_sample, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    if best is None:
        raise ImportFileError(
            _(
                "The file's text encoding could not be recognised. "
                "Save it as UTF-8 (CSV UTF-8 in Excel) and try again."
            )
        )
    encoding = best.encoding.lower().replace("_", "")
    if encoding in {"gb2312", "gbk", "gb18030", "cp936"}:
        return "gb18030"
    if encoding in {"big5", "cp950", "big5hkscs"}:
        return "big5hkscs"
    return best.encoding


def sniff_delimiter(text: str) -> str:
    first_line = text.splitlines()[0] if text else ""
    counts = {delimiter: _count_outside_quotes(first_line, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def unique_headers(cells: list[Any]) -> list[str]:
    """Header texts, blank ones named by position, repeats numbered: 手机, 手机 (2)."""
    seen: dict[str, int] = {}
    headers = []
    for index, cell in enumerate(cells, start=1):
        text = _cell_text(cell).strip() or _("Column %(number)s") % {"number": index}
        seen[text] = seen.get(text, 0) + 1
        headers.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return headers


def _mixed_message() -> str:
    return _(
        "The file mixes text encodings (for example UTF-8 and GBK lines). "
        "Save it again with one encoding (CSV UTF-8 in Excel) and try again."
    )


def _is_utf8_text(line: bytes) -> bool:
    if line.isascii():
        return False
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decoded_lines(path: Path, encoding: str) -> Iterator[str]:
    is_utf8 = encoding.startswith("utf-8")
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1 and encoding == "utf-8-sig":
                line = line.removeprefix(b"\xef\xbb\xbf")
            try:
                text = line.decode("utf-8" if is_utf8 else encoding)
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    _mixed_message() + " " + _("Line %(number)s.") % {"number": number}
                ) from error
            if not is_utf8 and _is_utf8_text(line):
                raise ImportFileError(
                    _mixed_message() + " " + _("Line %(number)s.") % {"number": number}
                )
            yield text


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    csv.field_size_limit(1024 * 1024)
    reader = csv.reader(_decoded_lines(path, encoding), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed near line %(number)s.") % {"number": reader.line_num}
        ) from error


def _sheet_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [_sheet_value(cell) for cell in cells]
    except ImportFileError:
        raise
    except Exception as error:  # calamine raises its own errors for damaged files
        raise ImportFileError(
            _("The spreadsheet could not be read; it may be damaged or password-protected.")
        ) from error


def _sheet_value(cell: Any) -> Any:
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e16:
        return str(int(cell))
    if isinstance(cell, datetime.date | datetime.datetime | datetime.time):
        return cell
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return "" if cell is None else str(cell)


def _vcard_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """vCard 3.0/4.0 cards as rows with VCARD_HEADERS; folded lines and escapes handled."""
    yield 0, list(VCARD_HEADERS)
    card: dict[str, list[str]] | None = None
    start = 0
    for number, line in _unfolded(_decoded_lines(path, detect_vcard_encoding(path))):
        name, _sep, value = line.partition(":")
        prop = name.split(";", 1)[0].split(".")[-1].upper()
        if prop == "BEGIN" and value.strip().upper() == "VCARD":
            card, start = {}, number
        elif prop == "END" and card is not None:
            yield start, [_vcard_value(prop_name, card) for prop_name in VCARD_HEADERS]
            card = None
        elif card is not None and prop in [*VCARD_HEADERS, "N"]:
            card.setdefault(prop, []).append(_vcard_unescape(value))
    if card is not None:
        raise ImportFileError(_("The vCard file ends in the middle of a card."))


def detect_vcard_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return detect_encoding(sample, is_complete=path.stat().st_size <= SAMPLE_BYTES)


def _unfolded(lines: Iterator[str]) -> Iterator[tuple[int, str]]:
    pending, pending_number = "", 0
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if line[:1] in (" ", "\t") and pending:
            pending += line[1:]
            continue
        if pending:
            yield pending_number, pending
        pending, pending_number = line, number
    if pending:
        yield pending_number, pending


def _vcard_unescape(value: str) -> str:
    return (
        value.replace("\\n", "\n")
        .replace("\\N", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
    )


def _vcard_value(prop: str, card: dict[str, list[str]]) -> str:
    values = card.get(prop, [])
    if prop == "FN" and not values and card.get("N"):
        family, _sep, rest = card["N"][0].partition(";")
        given = rest.split(";", 1)[0]
        return f"{family}{given}".strip()
    if prop == "ORG":
        return values[0].split(";", 1)[0].strip() if values else ""
    if prop in ("TEL", "EMAIL"):
        return "; ".join(value.strip().removeprefix("tel:") for value in values)
    return values[0].strip() if values else ""


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, is_quoted = 0, False
    for char in line:
        if char == '"':
            is_quoted = not is_quoted
        elif char == delimiter and not is_quoted:
            count += 1
    return count


def _has_value(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _cell_text(cell: Any) -> str:
    return "" if cell is None else str(cell)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")
