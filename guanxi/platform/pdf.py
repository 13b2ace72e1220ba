"""PDFs with Chinese text: reportlab with an embedded TrueType CJK font.

reportlab's built-in CID fonts are not embedded (readers without a Chinese font
show boxes), so every PDF uses WenQuanYi Micro Hei, vendored under
platform/fonts/ with its licence, and subset-embedded into each file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

FONT_NAME = "WenQuanYi"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
_registered = False


def cjk_font() -> str:
    """Register the CJK font once and return its name."""
    global _registered
    if not _registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
        _registered = True
    return FONT_NAME


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    font = cjk_font()
    return {
        "title": ParagraphStyle("gx-title", fontName=font, fontSize=16, leading=22, spaceAfter=8),
        "heading": ParagraphStyle(
            "gx-heading", fontName=font, fontSize=12, leading=18, spaceBefore=10, spaceAfter=4
        ),
        "body": ParagraphStyle("gx-body", fontName=font, fontSize=9, leading=13, wordWrap="CJK"),
        "cell": ParagraphStyle("gx-cell", fontName=font, fontSize=7, leading=9, wordWrap="CJK"),
        "head": ParagraphStyle(
            "gx-head", fontName=font, fontSize=7, leading=9, wordWrap="CJK", textColor="#ffffff"
        ),
    }


def pdf_text_style() -> Any:
    """The body text style every PDF uses."""
    return _styles()["body"]


def paragraph(text: Any, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _page_number_footer(label: Callable[[int], str]) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font(), 8)
        width = doc.pagesize[0]
        canvas.drawCentredString(width / 2, 20, label(doc.page))
        canvas.restoreState()

    return draw


def _table(
    header: list[str] | None, rows: list[list[Any]], styles: dict[str, Any], widths: Any
) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import LongTable, TableStyle

    data = [[paragraph(h, styles["head"]) for h in header]] if header else []
    data += [[paragraph(cell, styles["cell"]) for cell in row] for row in rows]
    if not data:
        data = [[""] * len(widths)]
    table = LongTable(data, colWidths=widths, repeatRows=1 if header else 0)
    first = 1 if header else 0
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d3e1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, colors.HexColor("#f6f8fb")]),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#206bc4")))
    table.setStyle(TableStyle(commands))
    return table


def _widths(total: float, count: int, weights: list[float] | None) -> list[float]:
    weights = weights if weights and len(weights) == count else [1.0] * count
    scale = total / sum(weights)
    return [w * scale for w in weights]


def pdf_table(
    target: Any,
    *,
    title: str,
    header: list[str],
    rows: Iterable[list[Any]],
    page_label: Callable[[int], str],
    on_row: Callable[[int], None] | None = None,
    weights: list[float] | None = None,
    intro: Callable[[float], list[Any]] | None = None,
) -> int:
    """A landscape A4 table with a repeating header row and page numbers; returns the row count.

    `intro(width)` returns flowables (text, a chart) to put between the title and the
    table, sized to the frame width."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    styles = _styles()
    collected: list[list[Any]] = []
    for row in rows:
        collected.append(row)
        if on_row is not None:
            on_row(len(collected))
    doc = SimpleDocTemplate(
        target,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
        title=title,
        initialFontName=cjk_font(),
    )
    footer = _page_number_footer(page_label)
    story = [
        paragraph(title, styles["title"]),
        *(intro(doc.width) if intro is not None else []),
        _table(header, collected, styles, _widths(doc.width, len(header), weights)),
    ]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return len(collected)


def pdf_document(
    target: Any,
    *,
    title: str,
    sections: list[tuple[str, list[tuple[str, Any]] | tuple[list[str], list[list[Any]]]]],
    page_label: Callable[[int], str],
) -> None:
    """A portrait A4 document: a title, then sections of label/value pairs or small tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    styles = _styles()
    doc = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=title,
        initialFontName=cjk_font(),
    )
    story: list[Any] = [paragraph(title, styles["title"])]
    for heading, content in sections:
        story.append(paragraph(heading, styles["heading"]))
        if isinstance(content, tuple):
            header, rows = content
            story.append(_table(header, rows, styles, _widths(doc.width, len(header), None)))
        else:
            pairs = [[label, value] for label, value in content]
            story.append(_table(None, pairs, styles, [doc.width * 0.25, doc.width * 0.75]))
    footer = _page_number_footer(page_label)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
