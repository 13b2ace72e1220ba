"""In Chromium: a manager builds "revenue and customers by region", sees the bars
and the table (htmx swap), saves the report, opens it again and exports CSV.
Desktop 1280×800 and phone 390×844."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.conftest import PHONE, save_screenshot
from guanxi.reports.models import SavedReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP_1280 = {"width": 1280, "height": 800}
SERIES = """(id) => echarts.getInstanceByDom(document.getElementById('builder-chart'))
  .getOption().series.find((s) => s.id === id).data"""
CATEGORIES = """() => echarts.getInstanceByDom(document.getElementById('builder-chart'))
  .getOption().xAxis[0].data"""


@pytest.mark.parametrize("viewport", [DESKTOP_1280, PHONE], ids=["desktop", "phone"])
def test_build_save_and_export(open_page: Any, book: Any, viewport: Any) -> None:
    size = "phone" if viewport is PHONE else "desktop"
    page = open_page(book.org.manager, viewport=viewport)
    page.set_default_timeout(30_000)  # the machine is shared: be patient
    page.set_default_navigation_timeout(30_000)
    page.goto("/reports/builder/")
    expect(page.get_by_test_id("builder-form")).to_be_visible()
    page.select_option("#id_dimension", "region")
    page.get_by_test_id("builder-run").click()
    chart = page.get_by_test_id("builder-chart")
    expect(chart.locator("canvas")).to_be_visible()
    assert "dimension=region" in page.url  # htmx pushed the query: the page can be shared
    # sorted by the first measure (customers), ties by name
    assert page.evaluate(CATEGORIES) == ["上海", "四川", "江苏", "浙江"]
    assert page.evaluate(SERIES, "revenue") == [2000.0, 700.0, 0.0, 400.0]
    assert page.evaluate(SERIES, "customers") == [2, 1, 1, 1]
    expect(page.get_by_test_id("builder-row")).to_have_count(4)
    expect(page.get_by_test_id("builder-total")).to_contain_text("3,100")
    save_screenshot(page, f"report-builder-{size}")

    page.get_by_test_id("save-name").fill("各省销售")
    page.get_by_test_id("save-submit").click()
    page.wait_for_url("**/reports/builder/?report=*")
    report = SavedReport.objects.get()
    assert report.name == "各省销售" and report.owner == book.org.manager
    expect(page.get_by_test_id("builder-row")).to_have_count(4)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "上海,2,2000.00" in text

    page.goto("/reports/builder/saved/")
    expect(page.get_by_test_id("saved-report")).to_have_count(1)
    save_screenshot(page, f"report-builder-saved-{size}")
