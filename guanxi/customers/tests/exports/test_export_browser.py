"""In Chromium: the list's XLSX button starts a job, the job page reaches 100 %, and the
download link hands over an .xlsx with the Chinese names."""

from __future__ import annotations

import openpyxl
import pytest

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_xlsx_export_from_the_list_to_the_downloaded_file(org, open_page, tmp_path):
    customer_create(actor=org.east_rep, name="张三科技有限公司", grade="A", phones=["13812345678"])
    customer_create(actor=org.east_rep, name="欧阳娜娜工作室", grade="A")
    customer_create(actor=org.east_rep, name="李四贸易", grade="B")

    page = open_page(org.manager, viewport=DESKTOP)
    page.goto("/customers/?grade=A")
    page.get_by_test_id("customer-export-xlsx").click()
    page.wait_for_url("**/platform/jobs/**")
    page.get_by_test_id("job-percent").filter(has_text="100%").wait_for()
    save_screenshot(page, "export-job-desktop")
    with page.expect_download() as download_info:
        page.get_by_test_id("job-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == sorted(["张三科技有限公司", "欧阳娜娜工作室"])

    phone = open_page(org.manager, viewport=PHONE)
    phone.goto(page.url.replace(page.url.split("/platform/")[0], ""))
    phone.get_by_test_id("job-download").wait_for()
    save_screenshot(phone, "export-job-phone")


def test_an_expired_export_and_a_finder_job_page(org, open_page, tmp_path):
    import os
    import time

    from guanxi.customers.duplicates import duplicates_find_start
    from guanxi.customers.exports import export_start
    from guanxi.platform.exports import generated_files_purge
    from guanxi.platform.jobs import execute_job

    customer_create(actor=org.east_rep, name="张三科技有限公司", grade="A", phones=["13812345678"])
    customer_create(actor=org.east_rep, name="张三科技", grade="A", phones=["13812345678"])
    export = export_start(
        actor=org.manager, kind="customers", format="xlsx", filters={"grade": ["A"]}
    )
    execute_job(str(export.pk))
    old = time.time() - 30 * 86400
    for path in (tmp_path / "exports" / str(export.pk)).rglob("*"):
        os.utime(path, (old, old))
    generated_files_purge()
    finder = duplicates_find_start(actor=org.manager)
    execute_job(str(finder.pk))

    for viewport, size in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = open_page(org.manager, viewport=viewport)
        page.goto(f"/platform/jobs/{export.pk}/")
        page.get_by_test_id("job-export-again").click()
        page.wait_for_url("**/customers/?grade=A")
        page.goto(f"/platform/jobs/{export.pk}/")
        save_screenshot(page, f"export-expired-{size}")
        page.goto(f"/platform/jobs/{finder.pk}/")
        page.get_by_test_id("job-link-duplicates").wait_for()
        save_screenshot(page, f"finder-job-{size}")
        page.get_by_test_id("job-link-duplicates").click()
        page.wait_for_url("**/customers/duplicates/")
