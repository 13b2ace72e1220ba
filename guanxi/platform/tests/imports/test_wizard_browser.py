"""In Chromium: the import wizard from the customer list, (a) with a GBK-encoded file with
Chinese headers through to customers found in the list, (b) with a file whose rows have
errors through the dry run, the run, the downloaded error report, and undo. Each step is
photographed at desktop and phone width."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer
from guanxi.platform.models import ImportRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GBK_ROWS = [
    ("上海东方贸易有限公司", "138 1234 5678", "dongfang@example.cn"),
    ("欧阳娜娜工作室", "+86 139-8765-4321", "nana@example.cn"),
    ("北京华北科技", "13700001111", ""),
]
ERROR_CSV = (
    "客户名称,手机,生日,所属销售\n"
    "好客户一,13800000001,2024/3/5,张三\n"
    "坏电话,12345,2024/3/5,张三\n"
    "好客户二,13800000002,2024年3月5日,张三\n"
    "坏日期,13800000003,2024-13-45,张三\n"
    "无名销售,13800000004,45321,不存在的人\n"
)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def gbk_file(tmp_path: Path) -> Path:
    path = tmp_path / "老系统客户.csv"
    lines = ["客户名称,手机,邮箱,所属销售"] + [",".join([*row, "张三"]) for row in GBK_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def to_preview(page: Any, path: Path, size: str, prefix: str, **options: str) -> None:
    """From the customer list to the dry run, photographing each step."""
    page.goto("/customers/")
    page.get_by_test_id("customer-import").click()
    page.wait_for_url("**/platform/imports/new/?target=customers")
    expect(page.locator("#id_target")).to_have_value("customers")
    page.set_input_files("#id_file", str(path))
    save_screenshot(page, f"{prefix}-upload-{size}")
    page.get_by_test_id("import-upload-submit").click()
    page.wait_for_url(re.compile(r"/platform/imports/new/[\w-]+/mapping/$"))
    page.get_by_test_id("import-mapping-form").wait_for()
    for name, value in options.items():
        page.select_option(f"#id_{name}", value)
    save_screenshot(page, f"{prefix}-mapping-{size}")
    page.get_by_test_id("import-mapping-submit").click()
    page.wait_for_url(re.compile(r"/platform/imports/new/[\w-]+/preview/$"))
    page.get_by_test_id("import-counts").wait_for()
    save_screenshot(page, f"{prefix}-preview-{size}")


def test_a_gbk_file_with_chinese_headers_lands_in_the_customer_list(
    org: Any, open_page: Any, tmp_path: Path
) -> None:
    path = gbk_file(tmp_path)
    phone = open_page(org.east_rep, viewport=PHONE)
    to_preview(phone, path, "phone", "import-gbk")

    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/customers/")
    page.get_by_test_id("customer-import").click()
    page.set_input_files("#id_file", str(path))
    page.get_by_test_id("import-upload-submit").click()
    page.get_by_test_id("import-mapping-form").wait_for()
    expect(page.get_by_test_id("import-encoding")).to_have_text("GB18030")
    headers = page.get_by_test_id("import-column-header").all_inner_texts()
    assert headers == ["客户名称", "手机", "邮箱", "所属销售"]
    guessed = [page.locator(f"#id_col_{index}").input_value() for index in range(4)]
    assert guessed == ["name", "phones", "emails", "owner"]
    assert "上海东方贸易有限公司" in page.get_by_test_id("import-column-samples").first.inner_text()
    save_screenshot(page, "import-gbk-mapping-desktop")
    page.get_by_test_id("import-mapping-submit").click()
    expect(page.get_by_test_id("count-created")).to_have_text("3")
    expect(page.get_by_test_id("count-failed")).to_have_text("0")
    save_screenshot(page, "import-gbk-preview-desktop")
    assert Customer.objects.count() == 0

    page.get_by_test_id("import-start").click()
    page.wait_for_url(re.compile(r"/platform/imports/\d+/$"))
    page.get_by_test_id("job-percent").filter(has_text="100%").wait_for()
    expect(page.get_by_test_id("count-created")).to_have_text("3")
    save_screenshot(page, "import-gbk-run-desktop")
    phone.goto(page.url.replace(page.url.split("/platform/")[0], ""))
    phone.get_by_test_id("count-created").wait_for()
    save_screenshot(phone, "import-gbk-run-phone")

    page.goto("/customers/?q=东方")
    rows = page.get_by_test_id("customer-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("上海东方贸易有限公司")
    page.goto("/customers/?q=欧阳")
    expect(page.get_by_test_id("customer-row").first).to_contain_text("欧阳娜娜工作室")
    names = sorted(Customer.objects.values_list("name", flat=True))
    assert names == sorted(row[0] for row in GBK_ROWS)
    assert set(Customer.objects.values_list("owner", flat=True)) == {org.east_rep.pk}

    page.goto("/platform/imports/")
    expect(page.get_by_test_id("import-row")).to_have_count(1)
    save_screenshot(page, "import-list-desktop")
    phone.goto("/platform/imports/")
    save_screenshot(phone, "import-list-phone")


def test_a_file_with_errors_dry_run_report_and_undo(
    org: Any, open_page: Any, tmp_path: Path
) -> None:
    path = tmp_path / "有错误的客户.csv"
    path.write_text(ERROR_CSV, encoding="utf-8")
    phone = open_page(org.east_rep, viewport=PHONE)
    to_preview(phone, path, "phone", "import-errors", batch_size="1")

    page = open_page(org.east_rep, viewport=DESKTOP)
    renamed = tmp_path / "照片.csv"
    renamed.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    page.goto("/platform/imports/new/")
    page.set_input_files("#id_file", str(renamed))
    page.get_by_test_id("import-upload-submit").click()
    expect(page.get_by_test_id("error-file")).to_contain_text("CSV、XLSX、XLS")  # in Chinese
    save_screenshot(page, "import-errors-bad-file-desktop")

    to_preview(page, path, "desktop", "import-errors", batch_size="1")
    expect(page.get_by_test_id("count-created")).to_have_text("2")
    expect(page.get_by_test_id("count-failed")).to_have_text("3")
    error_rows = page.get_by_test_id("import-error-row")
    expect(error_rows).to_have_count(3)
    assert [text.split()[0] for text in error_rows.all_inner_texts()] == ["3", "5", "6"]
    assert "不存在的人" in error_rows.nth(2).inner_text()

    page.get_by_test_id("import-start").click()
    page.wait_for_url(re.compile(r"/platform/imports/\d+/$"))
    page.get_by_test_id("job-percent").filter(has_text="100%").wait_for()
    expect(page.get_by_test_id("count-created")).to_have_text("2")
    expect(page.get_by_test_id("count-failed")).to_have_text("3")
    save_screenshot(page, "import-errors-run-desktop")
    run_path = page.url.replace(page.url.split("/platform/")[0], "")
    phone.goto(run_path)
    phone.get_by_test_id("import-error-report").wait_for()
    save_screenshot(phone, "import-errors-run-phone")

    with page.expect_download() as download_info:
        page.get_by_test_id("import-error-report").click()
    download = download_info.value
    assert download.suggested_filename == "有错误的客户-errors.xlsx"
    report = tmp_path / "report.xlsx"
    download.save_as(report)
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("客户名称", "手机", "生日", "所属销售")
    assert rows[0][4]  # the error column
    assert [row[:4] for row in rows[1:]] == [
        ("坏电话", "12345", "2024/3/5", "张三"),
        ("坏日期", "13800000003", "2024-13-45", "张三"),
        ("无名销售", "13800000004", "45321", "不存在的人"),
    ]
    assert all(row[4] for row in rows[1:])

    assert Customer.objects.filter(deleted_at__isnull=True).count() == 2
    page.get_by_test_id("import-undo").click()
    expect(page.get_by_test_id("import-undo-confirm")).to_be_visible()
    save_screenshot(page, "import-errors-undo-confirm-desktop")
    page.get_by_test_id("import-undo-submit").click()
    expect(page.get_by_test_id("import-undone")).to_be_visible()
    expect(page.get_by_test_id("import-undo")).to_have_count(0)
    save_screenshot(page, "import-errors-undone-desktop")
    assert Customer.objects.filter(deleted_at__isnull=True).count() == 0
    assert ImportRun.objects.get().undone_at is not None
