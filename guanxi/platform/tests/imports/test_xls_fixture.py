"""A real Excel 97-2003 file (BIFF8 in an OLE2 container, written once by xlwt) with
Chinese headers and values: read, then imported as customers through the services."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase

from guanxi.customers.models import Customer
from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.services import import_preview, import_start
from guanxi.platform.models import Job

FIXTURE = Path(__file__).parent / "fixtures" / "customers-zh.xls"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_the_fixture_is_a_real_biff8_workbook() -> None:
    assert FIXTURE.read_bytes()[:8] == OLE2_SIGNATURE


def test_xls_with_chinese_headers_and_values_is_read() -> None:
    table = open_table(FIXTURE)

    assert table.kind == "xls"
    assert table.headers == ["客户名称", "手机", "邮箱", "所属销售", "行业", "城市", "生日", "备注"]
    rows = [row.cells for row in table.rows()]
    assert len(rows) == 3
    assert rows[0][:3] == ["北京华夏科技有限公司", "13812345678", "info@huaxia.cn"]  # a number cell
    assert rows[0][6] == datetime.date(2024, 3, 5)  # a date cell
    assert rows[1][6] == "45321"  # an Excel serial typed as a number
    assert rows[2][0] == "廣州嶺南茶業" and rows[2][7] == ""


@pytest.mark.django_db
def test_xls_imports_customers_through_the_services(org: Any, settings: Any, tmp_path) -> None:
    settings.DATA_DIR = tmp_path

    preview = import_preview(actor=org.admin, path=FIXTURE, target="customers")
    assert (preview["created"], preview["failed"]) == (3, 0), preview["errors"]
    assert not Customer.objects.exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        run = import_start(
            actor=org.admin, path=FIXTURE, file_name=FIXTURE.name, target="customers"
        )
    run.refresh_from_db()
    assert run.job.status == Job.Status.SUCCEEDED, run.job.message
    assert run.summary["created"] == 3 and run.summary["failed"] == 0

    huaxia = Customer.objects.get(name="北京华夏科技有限公司")
    assert huaxia.phones == ["+8613812345678"] and huaxia.emails == ["info@huaxia.cn"]
    assert huaxia.owner == org.east_rep and huaxia.industry == "软件" and huaxia.city == "北京"
    assert huaxia.birthday == datetime.date(2024, 3, 5)
    dongfang = Customer.objects.get(name="上海东方贸易公司")
    assert dongfang.owner == org.east_rep2 and dongfang.phones == ["+8613912345678"]
    assert dongfang.birthday == datetime.date(2024, 1, 30)  # Excel serial 45321
    lingnan = Customer.objects.get(name="廣州嶺南茶業")
    assert lingnan.owner == org.east_rep2 and lingnan.phones == ["+862088886666"]
