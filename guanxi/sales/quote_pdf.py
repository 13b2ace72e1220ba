"""The quote as a PDF in Chinese (报价单): company header, customer and contact, number
and dates, lines, totals in figures and in capital numerals (大写金额), validity,
terms, "page X of Y".

The document is the same whoever asks for it: it is written in the company's
language (settings.LANGUAGE_CODE, zh-Hans by default), names nobody but the
quote's owner, and prints no contact phone numbers or e-mails (people without
`customers.view_contact_details` may download it). Internal notes are not printed.

The company header comes from `settings.GUANXI_COMPANY` (a dict with name,
address, phone, email, website, tax_id, bank; every key optional).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.platform.money_words import amount_in_chinese_capitals
from guanxi.platform.pdf import cjk_font, paragraph
from guanxi.sales.models import Quote

COMPANY_KEYS = ("name", "address", "phone", "email", "website", "tax_id", "bank")
BLUE = "#206bc4"
GRID = "#c8d3e1"


def company_info() -> dict[str, str]:
    """The company header: settings.GUANXI_COMPANY, missing keys empty."""
    configured = getattr(settings, "GUANXI_COMPANY", None) or {}
    return {key: str(configured.get(key) or "").strip() for key in COMPANY_KEYS}


def _number(value: Decimal) -> str:
    """12345.6 → "12,345.60"; quantities drop trailing zeros ("2", "1.5")."""
    return f"{value:,.2f}"


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    font = cjk_font()
    return {
        "company": ParagraphStyle("q-company", fontName=font, fontSize=15, leading=20),
        "company_small": ParagraphStyle(
            "q-company-small", fontName=font, fontSize=8, leading=11, textColor="#555555"
        ),
        "title": ParagraphStyle(
            "q-title", fontName=font, fontSize=20, leading=26, alignment=2, textColor=BLUE
        ),
        "label": ParagraphStyle(
            "q-label", fontName=font, fontSize=8, leading=11, textColor="#555555"
        ),
        "value": ParagraphStyle("q-value", fontName=font, fontSize=9, leading=12, wordWrap="CJK"),
        "cell": ParagraphStyle("q-cell", fontName=font, fontSize=8, leading=11, wordWrap="CJK"),
        "cell_right": ParagraphStyle(
            "q-cell-right", fontName=font, fontSize=8, leading=11, alignment=2
        ),
        "head": ParagraphStyle(
            "q-head", fontName=font, fontSize=8, leading=11, textColor="#ffffff", wordWrap="CJK"
        ),
        "head_right": ParagraphStyle(
            "q-head-right", fontName=font, fontSize=8, leading=11, textColor="#ffffff", alignment=2
        ),
        "total": ParagraphStyle("q-total", fontName=font, fontSize=11, leading=15, alignment=2),
        "words": ParagraphStyle("q-words", fontName=font, fontSize=10, leading=14),
        "heading": ParagraphStyle(
            "q-heading", fontName=font, fontSize=10, leading=14, spaceBefore=8, spaceAfter=3
        ),
        "body": ParagraphStyle("q-body", fontName=font, fontSize=9, leading=13, wordWrap="CJK"),
    }


def _numbered_canvas(label: str) -> Any:
    """A canvas that writes "page X of Y" once the page count is known."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            count = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.setFont(cjk_font(), 8)
                self.setFillColor("#777777")
                width = self._pagesize[0]
                self.drawCentredString(
                    width / 2, 20, label % {"page": self._pageNumber, "pages": count}
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _address(customer: Any) -> str:
    parts = [customer.province, customer.city, customer.district, customer.street]
    # Chinese addresses run together: 浙江省杭州市西湖区文三路 100 号
    return "".join(part for part in parts if part)


def _story(quote: Quote, styles: dict[str, Any], width: float) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    company = company_info()
    story: list[Any] = []

    # Header: company on the left, "Quote" and its number on the right.
    left = [paragraph(company["name"] or " ", styles["company"])]
    details = [
        company["address"],
        " · ".join(
            value
            for value in (
                _("Tel. %(phone)s") % {"phone": company["phone"]} if company["phone"] else "",
                company["email"],
                company["website"],
            )
            if value
        ),
        _("Tax ID %(id)s") % {"id": company["tax_id"]} if company["tax_id"] else "",
    ]
    left += [paragraph(line, styles["company_small"]) for line in details if line]
    right = [
        paragraph(_("Quotation"), styles["title"]),
        paragraph(quote.number, styles["cell_right"]),
    ]
    header = Table([[left, right]], colWidths=[width * 0.62, width * 0.38])
    header.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.HexColor(BLUE)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [header, Spacer(1, 4 * mm)]

    # Who and when, in two columns of label/value pairs.
    contact = quote.contact
    owner = quote.owner
    customer_rows = [
        (_("Customer"), quote.customer.name),
        (_("Address"), _address(quote.customer)),
        (
            _("Contact"),
            f"{contact.name}{'（' + contact.title + '）' if contact.title else ''}"
            if contact is not None
            else "",
        ),
    ]
    quote_rows = [
        (_("Quote number"), quote.number),
        (_("Issued on"), quote.issued_on.isoformat()),
        (_("Valid until"), quote.valid_until.isoformat()),
        (_("Sales representative"), _owner_line(owner)),
        (_("Currency"), quote.currency),
    ]
    if quote.title:
        quote_rows.insert(0, (_("Subject"), quote.title))

    def pairs(rows: list[tuple[str, str]]) -> Any:
        data = [
            [paragraph(label, styles["label"]), paragraph(value or "—", styles["value"])]
            for label, value in rows
        ]
        table = Table(data, colWidths=[width * 0.14, width * 0.34])
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    who = Table(
        [[pairs(customer_rows), pairs(quote_rows)]],
        colWidths=[width * 0.5, width * 0.5],
    )
    who.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [who, Spacer(1, 5 * mm)]

    # Lines.
    head = [
        paragraph("#", styles["head"]),
        paragraph(_("Product / description"), styles["head"]),
        paragraph(_("Quantity"), styles["head_right"]),
        paragraph(_("Unit"), styles["head"]),
        paragraph(_("Unit price"), styles["head_right"]),
        paragraph(_("Discount"), styles["head_right"]),
        paragraph(_("Amount"), styles["head_right"]),
    ]
    rows: list[list[Any]] = [head]
    for line in quote.lines.all():
        name = line.description
        if line.product is not None:
            name = f"{line.product.sku} {line.description}"
        rows.append(
            [
                paragraph(str(line.position), styles["cell"]),
                paragraph(name, styles["cell"]),
                paragraph(_quantity(line.quantity), styles["cell_right"]),
                paragraph(line.unit, styles["cell"]),
                paragraph(_number(line.unit_price), styles["cell_right"]),
                paragraph(
                    _percent(line.discount_percent) if line.discount_percent else "—",
                    styles["cell_right"],
                ),
                paragraph(_number(line.amount), styles["cell_right"]),
            ]
        )
    from reportlab.platypus import LongTable

    weights = [0.05, 0.39, 0.1, 0.08, 0.13, 0.1, 0.15]
    lines_table = LongTable(rows, colWidths=[width * w for w in weights], repeatRows=1)
    lines_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor(GRID)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(BLUE)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                (
                    "ROWBACKGROUNDS",
                    (0, 1),
                    (-1, -1),
                    [colors.white, colors.HexColor("#f6f8fb")],
                ),
            ]
        )
    )
    story += [lines_table, Spacer(1, 3 * mm)]

    # Totals, right-aligned, then the total in words.
    total_rows = [(_("Subtotal"), _number(quote.subtotal))]
    if quote.discount_percent:
        total_rows.append(
            (
                _("Discount (%(percent)s)") % {"percent": _percent(quote.discount_percent)},
                "-" + _number(quote.discount_amount),
            )
        )
    if quote.tax_rate:
        total_rows.append(
            (
                _("Tax (%(percent)s)") % {"percent": _percent(quote.tax_rate)},
                _number(quote.tax_amount),
            )
        )
    total_rows.append((_("Total (%(currency)s)") % {"currency": quote.currency}, ""))
    data = [
        [paragraph(label, styles["cell_right"]), paragraph(value, styles["cell_right"])]
        for label, value in total_rows[:-1]
    ]
    data.append(
        [
            paragraph(total_rows[-1][0], styles["total"]),
            paragraph(_number(quote.total), styles["total"]),
        ]
    )
    totals = Table(data, colWidths=[width * 0.3, width * 0.2], hAlign="RIGHT")
    totals.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.HexColor(BLUE)),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story += [totals, Spacer(1, 2 * mm)]
    if quote.currency == "CNY":
        # Capital numerals are written in yuan (元角分): for renminbi amounts only.
        words = _("Total in words: RMB %(words)s") % {
            "words": amount_in_chinese_capitals(quote.total)
        }
        words_box = Table([[paragraph(words, styles["words"])]], colWidths=[width])
        words_box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID)),
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f6f8fb")),
                ]
            )
        )
        story.append(words_box)

    # Validity and terms.
    story.append(paragraph(_("Validity"), styles["heading"]))
    story.append(
        paragraph(
            _("This quotation is valid until %(date)s.") % {"date": quote.valid_until.isoformat()},
            styles["body"],
        )
    )
    if quote.terms:
        story.append(paragraph(_("Terms and conditions"), styles["heading"]))
        story.append(paragraph(quote.terms, styles["body"]))
    if company["bank"]:
        story.append(paragraph(_("Bank account"), styles["heading"]))
        story.append(paragraph(company["bank"], styles["body"]))
    return story


def _owner_line(owner: Any) -> str:
    if owner is None:
        return ""
    email = getattr(owner, "email", "") or ""
    return f"{owner}  {email}".strip()


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The PDF of `quote` (with its lines, contact and owner loaded or loadable)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    with translation.override(settings.LANGUAGE_CODE):
        styles = _styles()
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=14 * mm,
            bottomMargin=16 * mm,
            title=f"{_('Quotation')} {quote.number}",
            author=company_info()["name"] or "Guanxi",
            initialFontName=cjk_font(),
        )
        story = _story(quote, styles, doc.width)
        doc.build(story, canvasmaker=_numbered_canvas(_("Page %(page)s of %(pages)s")))
    return buffer.getvalue()


def quote_pdf_filename(quote: Quote) -> str:
    return f"{quote.number}.pdf"
