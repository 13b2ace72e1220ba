"""The fast row source: what each column holds, queries that do not grow with the rows,
and the audit entry (who, what filter, how many rows) of every export path."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from guanxi.customers.exports import _write_customers, customer_export_csv
from guanxi.customers.selectors import CustomerFilter
from guanxi.customers.services import customer_create
from guanxi.customers.services.tags import custom_field_create, tag_create, tag_group_create
from guanxi.platform.exports import xlsx_write
from guanxi.platform.models import AuditEntry
from guanxi.platform.phones import display_phone, mask_phone, national_digits

pytestmark = pytest.mark.django_db


def _csv(actor, filters=None) -> list[list[str]]:
    text = "".join(customer_export_csv(actor=actor, filters=filters or CustomerFilter()))
    return list(csv.reader(io.StringIO(text[1:])))


def _make(org, count: int, tags: list) -> None:
    for index in range(count):
        customer_create(
            actor=org.east_rep, name=f"客户{index}", tags=tags, phones=["13812345678"],
            emails=[f"c{index}@example.com"],
        )  # fmt: skip


def test_each_column_holds_what_the_customer_page_shows(org):
    group = tag_group_create(actor=org.admin, name="级别", order=1)
    late = tag_create(actor=org.admin, name="甲-重点", group=group)
    first = tag_create(actor=org.admin, name="VIP")
    custom_field_create(
        actor=org.admin, target="customer", key="region", label="区域",
        field_type="multi_choice", choices=["华东", "华南"],
    )  # fmt: skip
    customer = customer_create(
        actor=org.east_rep, name="张三科技", tags=[late.pk, first.pk], phones=["13812345678"],
        emails=["zs@example.com"], grade="A", custom_fields={"region": ["华东", "华南"]},
    )  # fmt: skip

    header, row = _csv(org.admin)

    assert header[-1] == "区域" and len(row) == len(header)
    assert row[0] == str(customer.pk) and row[1] == "张三科技"
    assert row[3] == str(customer.get_kind_display())
    assert row[5] == str(customer.get_lifecycle_stage_display())
    assert row[6] == str(customer.owner) and row[7] == str(customer.team)
    assert row[8] == "13812345678" and row[9] == "zs@example.com"
    # tags in their own order (by group, then name; where ungrouped tags go is the
    # database's NULL order), exactly as the page lists them
    assert row[17] == " ".join(t.name for t in customer.tags.all())
    assert sorted(row[17].split()) == ["VIP", "甲-重点"]
    assert row[18] == customer.created_at.isoformat(timespec="seconds")
    assert row[-1] == "华东、华南"


def test_an_exports_queries_do_not_grow_with_its_rows(org, tmp_path):
    tags = [tag_create(actor=org.admin, name=f"标签{i}").pk for i in range(3)]
    _make(org, 3, tags)

    def queries(fmt: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            count = _write_customers(
                actor=org.admin, filters=CustomerFilter(), fmt=fmt,
                target=str(tmp_path / f"x.{fmt}"), on_row=None,
            )  # fmt: skip
        return count, len(captured)

    few = {fmt: queries(fmt) for fmt in ("csv", "xlsx")}
    _make(org, 40, tags)
    many = {fmt: queries(fmt) for fmt in ("csv", "xlsx")}

    for fmt in ("csv", "xlsx"):
        assert (few[fmt][0], many[fmt][0]) == (3, 43)
        assert many[fmt][1] == few[fmt][1], fmt


def test_the_streamed_csv_is_audited_with_who_what_filter_and_how_many_rows(client, org):
    for index in range(3):
        customer_create(actor=org.east_rep, name=f"甲{index}", grade="A")
    customer_create(actor=org.east_rep, name="乙", grade="B")
    client.force_login(org.manager)

    response = client.get("/customers/export.csv?grade=A")
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert len(lines) == 1 + 3
    entry = AuditEntry.objects.get(action="customers.customer.exported")
    assert entry.actor == org.manager
    assert entry.changes["format"] == "csv" and entry.changes["count"] == 3
    assert entry.changes["filters"]["grade"] == "A"


def test_every_export_job_audit_entry_has_the_row_count(
    client, org, django_capture_on_commit_callbacks
):
    customer_create(actor=org.east_rep, name="张三科技", grade="A")
    client.force_login(org.manager)
    for fmt in ("xlsx", "pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/customers/export/{fmt}/?grade=A")
    entries = AuditEntry.objects.filter(action="customers.customer.exported")
    assert sorted(e.changes["format"] for e in entries) == ["pdf", "xlsx"]
    for entry in entries:
        assert entry.actor == org.manager
        assert entry.changes["count"] == 1 and entry.changes["filters"] == {"grade": ["A"]}


@pytest.mark.parametrize(
    "e164", ["+8613812345678", "+861012345678", "+8675512345678;ext=12", "+14155550123"]
)
def test_national_digits_fast_path_agrees_with_phonenumbers(e164):
    import phonenumbers

    base = e164.split(";", 1)[0]
    expected = phonenumbers.national_significant_number(phonenumbers.parse(base, None))
    assert national_digits(e164) == expected
    assert mask_phone(e164).endswith(display_phone(e164).replace(" ", "")[-4:])


def test_xlsx_cells_are_escaped_and_kept_as_text(tmp_path):
    path = tmp_path / "x.xlsx"
    cells = ["a & b <c>", " 前后空格 ", "ctl\x01x", "_x0041_", "=1+1", "00123", "x" * 40000]

    assert xlsx_write(str(path), ["一", "二", "三", "四", "五", "六", "七"], [cells]) == 1

    # calamine reads cells as Excel does (openpyxl leaves the _xHHHH_ escapes in)
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1]
    assert values[:6] == ["a & b <c>", " 前后空格 ", "ctl\x01x", "_x0041_", "'=1+1", "00123"]
    assert len(values[6]) == 32767
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
