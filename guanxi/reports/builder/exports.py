"""A built report as a file (CSV, XLSX, PDF with its chart) and as an ECharts option.

The files go through the project's writers: platform.exports (BOM CSV, constant-
memory XLSX, formula neutralising) and platform.pdf (embedded CJK font). A report
holds at most a few hundred rows (one per group, top N plus "other"), so files are
written in memory, synchronously, not as a job. The PDF's chart is drawn with
reportlab.graphics (no browser): bars for categories, a line for months, of the
first measure (measures of different units do not share one axis).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from guanxi.platform.exports import csv_write, xlsx_write
from guanxi.reports.builder.definition import DIMENSIONS, MEASURES, MONEY_MEASURES
from guanxi.reports.builder.query import ReportResult

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)
PALETTE = ["#206bc4", "#f59f00", "#2fb344", "#d63939", "#ae3ec9", "#17a2b8", "#a8b5c6", "#74b816"]


def _cell(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def table(result: ReportResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text: one row per group, then the total."""
    rows = [[row.label, *[_cell(v) for v in row.cells]] for row in result.rows]
    rows.append([_("Total"), *[_cell(v) for v in result.totals.values()]])
    return result.header, rows


def describe(result: ReportResult) -> str:
    """One line saying what the report covers (period, filters)."""
    definition = result.definition
    parts = [
        _("Period: %(start)s – %(end)s")
        % {"start": f"{result.period.start:%Y-%m}", "end": f"{result.period.end:%Y-%m}"}
    ]
    if result.owner is not None:
        parts.append(_("Owner: %(name)s") % {"name": str(result.owner)})
    if result.team is not None:
        parts.append(_("Team: %(name)s") % {"name": result.team.name})
    if definition.grade:
        parts.append(_("Grade: %(grade)s") % {"grade": definition.grade})
    if definition.stage:
        parts.append(_("Stage: %(stage)s") % {"stage": definition.stage})
    return " · ".join(str(p) for p in parts)


def title_of(result: ReportResult, name: str = "") -> str:
    if name:
        return name
    measures = "、".join(str(MEASURES[m]) for m in result.definition.measures)
    return _("%(measures)s by %(dimension)s") % {
        "measures": measures,
        "dimension": str(DIMENSIONS[result.definition.dimension]),
    }


def file_name(result: ReportResult, fmt: str, name: str = "") -> str:
    stem = slugify(name, allow_unicode=True) or f"report-{result.definition.dimension}"
    return f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"


def _page_label(page: int) -> str:
    return _("Page %(page)s") % {"page": page}


def write(result: ReportResult, fmt: str, *, name: str = "") -> bytes:
    """The report as a file's bytes in `fmt` (csv, xlsx, pdf)."""
    header, rows = table(result)
    if fmt == "csv":
        handle = io.StringIO(newline="")
        csv_write(handle, header, rows)
        return handle.getvalue().encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        xlsx_write(buffer, header, rows, sheet_name=title_of(result, name)[:31])
        return buffer.getvalue()
    if fmt == "pdf":
        return _pdf(result, header, rows, name)
    raise ValueError(fmt)


# ---------------------------------------------------------------- PDF chart
def chart_drawing(result: ReportResult, width: float, height: float) -> Any:
    """The first measure per group as a reportlab Drawing: bars, or a line for months."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    from guanxi.platform.pdf import cjk_font

    font = cjk_font()
    measure = result.definition.measures[0]
    rows = [row for row in result.rows]
    values = [float(row.values[measure] or 0) for row in rows]
    labels = [row.label[:12] for row in rows]
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, str(MEASURES[measure]), fontName=font, fontSize=9))
    is_line = result.definition.dimension == "month"
    chart = HorizontalLineChart() if is_line else VerticalBarChart()
    chart.x, chart.y = 45, 45
    chart.width, chart.height = width - 60, height - 70
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    if len(labels) > 8:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = min(0, *values) if values else 0
    if is_line:
        chart.lines[0].strokeColor = colors.HexColor(PALETTE[0])
        chart.lines[0].strokeWidth = 1.5
    else:
        chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
        chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _pdf(result: ReportResult, header: list[str], rows: list[list[str]], name: str) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    # the table, styles and footer of platform.pdf (one look for every PDF)
    from guanxi.platform.pdf import paragraph, pdf_table, pdf_text_style

    def intro(width: float) -> list[Any]:
        return [
            paragraph(describe(result), pdf_text_style()),
            Spacer(1, 4 * mm),
            chart_drawing(result, width, 80 * mm),
            Spacer(1, 4 * mm),
        ]

    buffer = io.BytesIO()
    pdf_table(
        buffer,
        title=title_of(result, name),
        header=header,
        rows=rows,
        page_label=_page_label,
        weights=[2.0] + [1.0] * (len(header) - 1),
        intro=intro,
    )
    return buffer.getvalue()


# ---------------------------------------------------------------- ECharts
def _num(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    return round(float(value), 2) if isinstance(value, Decimal) else value


def echarts_spec(result: ReportResult) -> dict[str, Any]:
    """The page's chart: one series per measure (money on the left axis, counts on the
    right), bars for categories, lines for months; `urls` for the drill-down."""
    measures = result.definition.measures
    is_line = result.definition.dimension == "month"
    has_money = any(m in MONEY_MEASURES for m in measures)
    has_counts = any(m not in MONEY_MEASURES for m in measures)
    axes: list[dict[str, Any]] = []
    if has_money:
        axes.append({"type": "value", "name": "¥"})
    if has_counts:
        axes.append({"type": "value", "splitLine": {"show": not has_money}, "minInterval": 1})
    series = []
    for measure in measures:
        axis = 0 if (measure in MONEY_MEASURES or not has_money) else 1
        series.append(
            {
                "id": measure,
                "name": str(MEASURES[measure]),
                "type": "line" if is_line else "bar",
                "yAxisIndex": axis,
                "data": [_num(row.values[measure]) for row in result.rows],
            }
        )
    return {
        "urls": [row.url for row in result.rows],
        "option": {
            "color": PALETTE,
            "tooltip": {"trigger": "axis"},
            "legend": {"top": 0, "type": "scroll"},
            "grid": {"left": 8, "right": 8, "bottom": 8, "top": 40, "containLabel": True},
            "xAxis": {
                "type": "category",
                "data": [row.label for row in result.rows],
                "axisLabel": {"interval": 0, "rotate": 30 if len(result.rows) > 6 else 0},
            },
            "yAxis": axes,
            "series": series,
        },
    }
