"""XLSX, PDF and vCard hold the same scoped, masked rows as the CSV and the pages."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.exports import (
    _write_contacts,
    _write_customers,
    customer_profile_pdf,
    vcard,
)
from guanxi.customers.selectors import ContactFilter, CustomerFilter
from guanxi.customers.services import contact_create, customer_create, interaction_create
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.models import AuditEntry
from guanxi.platform.pdf import FONT_NAME

pytestmark = pytest.mark.django_db


def _xlsx(actor, filters=None) -> list[list[str]]:
    buffer = io.BytesIO()
    _write_customers(
        actor=actor, filters=filters or CustomerFilter(), fmt="xlsx", target=buffer, on_row=None
    )
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer, read_only=True).active
    return [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]


def _pdf(actor, filters=None) -> bytes:
    buffer = io.BytesIO()
    _write_customers(
        actor=actor, filters=filters or CustomerFilter(), fmt="pdf", target=buffer, on_row=None
    )
    return buffer.getvalue()


def _pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_xlsx_holds_only_the_managers_scope_with_formulas_neutralised(org):
    customer_create(
        actor=org.east_rep, name='=HYPERLINK("http://x","点我")', phones=["13812345678"]
    )
    customer_create(actor=org.west_rep, name="-西部客户")
    customer_create(actor=org.admin, name="总部客户")  # outside the manager's subtree

    rows = _xlsx(org.manager)

    assert rows[0][1] == "Name" or rows[0][1] == "名称" or rows[0][0] in ("ID",)
    names = sorted(row[1] for row in rows[1:])
    assert names == sorted(['\'=HYPERLINK("http://x","点我")', "'-西部客户"])
    assert "13812345678" in [row[8] for row in rows[1:]]


def test_a_reps_xlsx_never_holds_another_reps_customer(org, grant_export):
    grant_export(org.east_rep, org.admin)
    customer_create(actor=org.east_rep, name="张三科技")
    customer_create(actor=org.west_rep, name="赵六贸易")

    names = [row[1] for row in _xlsx(org.east_rep)[1:]]
    assert names == ["张三科技"]
    assert "赵六贸易" not in _pdf_text(_pdf(org.east_rep), __import__("pathlib").Path("/tmp"))


def test_service_role_sees_masked_phones_in_xlsx_and_pdf(org, grant_export, tmp_path):
    grant_export(org.service_agent, org.admin)
    customer_create(actor=org.east_rep, name="张三科技", phones=["13812345678"])

    rows = _xlsx(org.service_agent)
    assert rows[1][8] == "138****5678"
    text = _pdf_text(_pdf(org.service_agent), tmp_path)
    assert "138****5678" in text
    assert "13812345678" not in text


def test_xlsx_header_is_bold_and_cjk_columns_are_wide_enough(org):
    customer_create(actor=org.east_rep, name="上海浦东新区某某国际贸易有限公司")
    buffer = io.BytesIO()
    _write_customers(
        actor=org.manager, filters=CustomerFilter(), fmt="xlsx", target=buffer, on_row=None
    )
    buffer.seek(0)
    sheet = openpyxl.load_workbook(buffer).active
    assert sheet["A1"].font.b
    # 16 CJK characters are 32 columns wide; the name column leaves room for them
    assert sheet.column_dimensions["B"].width >= 32


def test_pdf_is_valid_embeds_the_cjk_font_and_holds_the_chinese_name(org, tmp_path):
    customer_create(actor=org.east_rep, name="张三科技有限公司")

    data = _pdf(org.manager)

    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data  # the TrueType font program is embedded
    assert FONT_NAME.encode() in data
    text = _pdf_text(data, tmp_path)
    assert "张三科技有限公司" in text
    assert "1" in text.splitlines()[-1] or "1" in text  # page number footer
    if shutil.which("pdffonts"):
        path = tmp_path / "fonts.pdf"
        path.write_bytes(data)
        report = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
        font_lines = [line for line in report.splitlines() if FONT_NAME in line]
        assert font_lines and all(" yes " in line for line in font_lines)


def test_a_long_pdf_list_repeats_its_header_on_every_page(org, tmp_path):
    for index in range(80):
        customer_create(actor=org.east_rep, name=f"客户{index:03d}")
    text = _pdf_text(_pdf(org.manager), tmp_path)
    pages = text.split("\f")
    filled = [page for page in pages if page.strip()]
    assert len(filled) >= 2
    header_word = "ID"
    assert all(header_word in page for page in filled)


def test_customer_profile_pdf_holds_profile_contacts_and_timeline(org, tmp_path):
    customer = customer_create(actor=org.east_rep, name="张三科技", phones=["13812345678"])
    contact_create(actor=org.east_rep, customer=customer, name="李经理", phones=["13900001111"])
    interaction_create(actor=org.east_rep, customer=customer, kind="call", content="首次电话拜访")
    buffer = io.BytesIO()

    customer_profile_pdf(actor=org.manager, customer_id=customer.pk, target=buffer)

    text = _pdf_text(buffer.getvalue(), tmp_path)
    assert "张三科技" in text and "李经理" in text and "首次电话拜访" in text
    entry = AuditEntry.objects.get(action="customers.customer.exported")
    assert entry.changes["count"] == 1 and entry.changes["kind"] == "customer"


def test_customer_profile_pdf_needs_the_export_permission(org):
    customer = customer_create(actor=org.east_rep, name="张三科技")
    with pytest.raises(PermissionDenied):
        customer_profile_pdf(actor=org.east_rep, customer_id=customer.pk, target=io.BytesIO())


def _parse_vcards(text: str) -> list[dict[str, list[str]]]:
    cards, current = [], None
    for line in text.split("\r\n"):
        if line == "BEGIN:VCARD":
            current = {}
        elif line == "END:VCARD":
            cards.append(current)
            current = None
        elif current is not None and line:
            key, _, value = line.partition(":")
            current.setdefault(key.split(";")[0], []).append(value.replace("\\,", ","))
    return cards


@pytest.mark.parametrize("version", ["4.0", "3.0"])
def test_vcards_round_trip_names_phones_and_emails(org, tmp_path, version):
    customer = customer_create(actor=org.east_rep, name="张三科技")
    contact_create(
        actor=org.east_rep, customer=customer, name="李经理", title="采购, 总监",
        phones=["13900001111"], emails=["li@example.cn"],
    )  # fmt: skip
    path = tmp_path / "c.vcf"

    count = _write_contacts(
        actor=org.manager, filters=ContactFilter(), fmt="vcf", target=str(path), on_row=None,
        version=version,
    )  # fmt: skip

    cards = _parse_vcards(path.read_bytes().decode("utf-8"))
    assert count == 1 and len(cards) == 1
    card = cards[0]
    assert card["VERSION"] == [version]
    assert card["FN"] == ["李经理"]
    assert card["TEL"] == ["13900001111"]
    assert card["EMAIL"] == ["li@example.cn"]
    assert card["TITLE"] == ["采购, 总监"]


def test_vcard_phones_are_masked_for_the_service_role(org):
    customer = customer_create(actor=org.east_rep, name="张三科技")
    contact = contact_create(
        actor=org.east_rep, customer=customer, name="李经理", phones=["13812345678"]
    )
    text = vcard(contact=contact, actor=org.service_agent, full=False)
    assert "138****5678" in text and "13812345678" not in text


def test_xlsx_query_count_does_not_grow_with_rows(org):
    def queries_for(count: int) -> int:
        for index in range(count):
            customer_create(actor=org.east_rep, name=f"客户{index}", tags=[])
        with CaptureQueriesContext(connection) as context:
            _xlsx(org.manager)
        return len(context.captured_queries)

    few = queries_for(5)
    many = queries_for(200)
    assert many == few
