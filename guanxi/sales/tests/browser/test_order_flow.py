"""In Chromium: a manager adds a product, a rep records an order with two lines for a
customer (one line's price comes from the price list) and sees it on the 360 page;
desktop and phone size."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create
from guanxi.sales.models import Order, Product
from guanxi.sales.services import price_list_create, product_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_product_then_order_with_two_lines_on_the_360_page(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="杭州西湖茶行", grade="A")
    cup = product_create(
        actor=org.admin, sku="CUP-01", name="青瓷茶杯", unit="套", list_price="45.00", cost="20"
    )

    manager = open_page(org.manager, viewport=viewport)
    manager.goto("/sales/products/create/")
    manager.fill("#id_sku", "tea-lj-250")
    manager.fill("#id_name", "明前龙井 250g")
    manager.fill("#id_category", "茶叶")
    manager.fill("#id_unit", "盒")
    manager.fill("#id_list_price", "388")
    manager.fill("#id_cost", "150")
    save_screenshot(manager, f"sales-product-form-{size}")
    manager.click("[data-testid=save-product]")
    manager.wait_for_url(re.compile(r"/sales/products/$"))
    expect(manager.get_by_test_id("product-row").filter(has_text="TEA-LJ-250")).to_be_visible()
    save_screenshot(manager, f"sales-product-list-{size}")
    tea = Product.objects.get(sku="TEA-LJ-250")
    price_list_create(actor=org.admin, name="A 类客户", grade="A", items={tea.pk: "350.00"})

    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-sales")).to_be_visible()
    page.get_by_test_id("customer-order-create").click()
    page.wait_for_url(re.compile(r"/sales/orders/create/"))
    rows = page.get_by_test_id("order-line-row")
    expect(rows).to_have_count(1)
    rows.nth(0).get_by_test_id("line-product").select_option(str(tea.pk))
    expect(rows.nth(0).get_by_test_id("line-unit-price")).to_have_value("350.00")
    rows.nth(0).get_by_test_id("line-quantity").fill("2")
    page.get_by_test_id("line-add").click()
    expect(rows).to_have_count(2)
    rows.nth(1).get_by_test_id("line-product").select_option(str(cup.pk))
    expect(rows.nth(1).get_by_test_id("line-unit-price")).to_have_value("45.00")
    rows.nth(1).get_by_test_id("line-quantity").fill("4")
    rows.nth(1).get_by_test_id("line-discount").fill("10")
    expect(page.get_by_test_id("order-form-total")).to_have_text("862.00")
    save_screenshot(page, f"sales-order-form-{size}")
    page.get_by_test_id("save-order").click()
    page.wait_for_url(re.compile(r"/sales/orders/\d+/$"))
    expect(page.get_by_test_id("order-line")).to_have_count(2)
    expect(page.get_by_test_id("order-total")).to_have_text("862.00")
    save_screenshot(page, f"sales-order-detail-{size}")

    order = Order.objects.get()
    assert order.total == Decimal("862.00")  # 2 × 350 + 4 × 45 × 0.9
    assert order.profit == Decimal("482.00")  # − (2 × 150 + 4 × 20)
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("sales-lifetime-spend")).to_have_text("862.00")
    expect(page.get_by_test_id("sales-order-count")).to_have_text("1")
    expect(page.get_by_test_id("customer-order-row")).to_have_count(1)
    expect(page.get_by_test_id("customer-order-row")).to_contain_text(order.number)
    expect(page.locator("[data-kind^='order.']")).to_have_count(1)
    save_screenshot(page, f"sales-customer-360-{size}")


def test_bad_lines_show_errors_in_the_browser(open_page, org):
    customer = customer_create(actor=org.east_rep, name="坏数据茶行")
    tea = product_create(actor=org.admin, sku="T-1", name="茶", list_price="10", cost="1")
    page = open_page(org.east_rep)
    page.goto(f"/sales/orders/create/?customer={customer.pk}")
    row = page.get_by_test_id("order-line-row").nth(0)
    row.get_by_test_id("line-product").select_option(str(tea.pk))
    expect(row.get_by_test_id("line-unit-price")).to_have_value("10.00")
    row.get_by_test_id("line-quantity").fill("-3")
    row.get_by_test_id("line-discount").fill("150")
    page.get_by_test_id("save-order").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("line-error")).to_have_count(2)
    save_screenshot(page, "sales-order-form-errors")
    assert Order.objects.count() == 0


def test_customer_picker_finds_customers_beyond_the_preloaded_ones(open_page, org):
    wanted = customer_create(actor=org.east_rep, name="宁波海港物流")
    for index in range(55):  # more than the form preloads
        customer_create(actor=org.east_rep, name=f"填充客户{index:02d}")
    tea = product_create(actor=org.admin, sku="T-9", name="茶", list_price="12", cost="5")
    page = open_page(org.east_rep, viewport=PHONE)
    page.goto("/sales/orders/create/")
    page.locator(".ts-control input").fill("宁波")
    page.locator(".ts-dropdown .option", has_text="宁波海港物流").click()
    assert page.locator("#id_customer").input_value() == str(wanted.pk)
    row = page.get_by_test_id("order-line-row").nth(0)
    row.get_by_test_id("line-product").select_option(str(tea.pk))
    expect(row.get_by_test_id("line-unit-price")).to_have_value("12.00")
    save_screenshot(page, "sales-order-customer-picker-phone")
    page.get_by_test_id("save-order").click()
    page.wait_for_url(re.compile(r"/sales/orders/\d+/$"))
    assert Order.objects.get().customer_id == wanted.pk
