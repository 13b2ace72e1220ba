"""In Chromium: a rep opens a customer, creates a quote with a product line and a
free-text line, downloads its PDF (the Chinese text and the 大写 total are in it),
marks it sent, saves the PDF with the quote; desktop and phone size."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.conftest import PHONE, save_screenshot
from guanxi.customers.services import contact_create, customer_create
from guanxi.sales.models import Quote
from guanxi.sales.services import product_create
from guanxi.sales.tests.quote_factories import quote_roles  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("quote_roles"),
]
DESKTOP_1280 = {"width": 1280, "height": 800}


def _pdf_text(path: Any) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.parametrize("viewport", [DESKTOP_1280, PHONE], ids=["desktop", "phone"])
def test_create_a_quote_and_download_its_pdf(
    open_page: Any, org: Any, viewport: dict[str, int], tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(
        actor=org.east_rep, name="杭州西湖茶行", province="浙江省", city="杭州市"
    )
    contact_create(actor=org.east_rep, customer=customer, name="林小姐", title="采购")
    tea = product_create(
        actor=org.admin, sku="TEA-LJ", name="明前龙井", unit="盒", list_price="388", cost="150"
    )

    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-quotes")).to_be_visible()
    page.get_by_test_id("customer-quote-create").click()
    page.wait_for_url(re.compile(r"/sales/quotes/create/"))
    page.select_option("#id_contact", label="林小姐")
    page.fill("#id_title", "春茶采购")
    page.fill("#id_tax_rate", "13")
    rows = page.get_by_test_id("quote-line-row")
    rows.nth(0).get_by_test_id("line-product").select_option(str(tea.pk))
    expect(rows.nth(0).get_by_test_id("line-unit-price")).to_have_value("388.00")
    expect(rows.nth(0).get_by_test_id("line-description")).to_have_value("明前龙井")
    rows.nth(0).get_by_test_id("line-quantity").fill("10")
    page.get_by_test_id("line-add").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_test_id("line-description").fill("礼盒包装")
    rows.nth(1).get_by_test_id("line-unit").fill("个")
    rows.nth(1).get_by_test_id("line-quantity").fill("10")
    rows.nth(1).get_by_test_id("line-unit-price").fill("12")
    # (3880 + 120) × 1.13
    expect(page.get_by_test_id("quote-form-total")).to_have_text("4520.00")
    save_screenshot(page, f"quote-form-{size}")
    page.get_by_test_id("save-quote").click()
    page.wait_for_url(re.compile(r"/sales/quotes/\d+/$"))
    expect(page.get_by_test_id("quote-line")).to_have_count(2)
    expect(page.get_by_test_id("quote-total")).to_have_text("4520.00")
    expect(page.get_by_test_id("quote-total-words")).to_contain_text("肆仟伍佰贰拾元整")
    save_screenshot(page, f"quote-detail-{size}")

    quote = Quote.objects.get()
    assert quote.total == Decimal("4520.00")
    with page.expect_download() as download_info:
        page.get_by_test_id("quote-pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"{quote.number}.pdf"
    path = tmp_path / "downloaded.pdf"
    download.save_as(path)
    text = _pdf_text(path)
    assert "杭州西湖茶行" in text
    assert "明前龙井" in text and "礼盒包装" in text
    assert "肆仟伍佰贰拾元整" in text
    assert "林小姐" in text

    page.get_by_test_id("quote-send").click()
    expect(page.get_by_test_id("quote-status")).to_have_text(re.compile("Sent|已发送"))
    page.get_by_test_id("quote-pdf-save").click()
    expect(page.get_by_test_id("quote-pdf-file")).to_have_count(1)
    save_screenshot(page, f"quote-detail-sent-{size}")
    page.goto("/sales/quotes/")
    expect(page.get_by_test_id("quote-row")).to_have_count(1)
    save_screenshot(page, f"quote-list-{size}")
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-quote-row")).to_have_count(1)
    expect(page.get_by_test_id("quotes-open-total")).to_have_text("4520.00")
    page.get_by_test_id("customer-quotes").screenshot(
        path=str(tmp_path / "panel.png")
    )  # renders without error
    save_screenshot(page, f"quote-customer-360-{size}")


def test_bad_lines_show_errors_in_the_browser(open_page: Any, org: Any) -> None:
    customer = customer_create(actor=org.east_rep, name="坏数据茶行")
    page = open_page(org.east_rep)
    page.goto(f"/sales/quotes/create/?customer={customer.pk}")
    row = page.get_by_test_id("quote-line-row").nth(0)
    row.get_by_test_id("line-description").fill("咨询")
    row.get_by_test_id("line-quantity").fill("-3")
    row.get_by_test_id("line-unit-price").fill("100")
    row.get_by_test_id("line-discount").fill("150")
    page.get_by_test_id("save-quote").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("line-error")).to_have_count(2)
    save_screenshot(page, "quote-form-errors")
    assert Quote.objects.count() == 0
