"""In Chromium: the navbar search finds Chinese names and pinyin initials; the list
filters by tag; a bulk tag runs as a job to 100 %; the list works on a phone."""

from __future__ import annotations

import re

import pytest

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer
from guanxi.customers.services import contact_create, customer_create, tag_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customers(org):
    vip = tag_create(actor=org.admin, name="VIP", color="#d63939")
    tag_create(actor=org.admin, name="经销商", color="#2fb344")
    zhang = customer_create(
        actor=org.east_rep,
        name="张三科技有限公司",
        short_name="张三科技",
        phones=["13812345678"],
        city="上海",
        grade="A",
        lifecycle_stage="active",
        tags=[vip.pk],
    )
    contact_create(actor=org.east_rep, customer=zhang, name="欧阳娜娜", title="采购经理")
    others = [
        customer_create(actor=org.east_rep, name=name, city=city)
        for name, city in [("欧阳娜娜工作室", "北京"), ("李四贸易", "广州"), ("王五餐饮", "成都")]
    ]
    customer_create(actor=org.west_rep, name="张三丰武馆")  # not the east rep's
    return {"zhang": zhang, "others": others, "vip": vip}


def _navbar_search(page, text: str, box: str = "#global-search") -> None:
    page.fill(box, text)
    page.press(box, "Enter")
    page.wait_for_url(re.compile(r"/customers/search/"))


def test_on_a_phone_the_search_box_is_visible_without_opening_the_menu(open_page, org, customers):
    page = open_page(org.east_rep, viewport=PHONE)
    assert not page.locator("#global-search").is_visible()  # inside the collapsed menu
    _navbar_search(page, "zs", box="#global-search-phone")
    assert "张三科技有限公司" in page.locator('[data-testid="search-customers"]').inner_text()
    save_screenshot(page, "search-zs-phone")


def test_navbar_search_finds_two_character_name_and_pinyin_initials(open_page, org, customers):
    page = open_page(org.east_rep, viewport=DESKTOP)
    _navbar_search(page, "张三")
    results = page.locator('[data-testid="search-customer"]')
    assert results.count() == 1
    assert "张三科技有限公司" in results.first.inner_text()
    assert "张三丰武馆" not in page.content()  # another rep's customer
    save_screenshot(page, "search-zhangsan-desktop")

    _navbar_search(page, "zs")
    assert "张三科技有限公司" in page.locator('[data-testid="search-customers"]').inner_text()
    _navbar_search(page, "欧阳")
    assert page.locator('[data-testid="search-customer"]').count() == 1
    assert "欧阳娜娜" in page.locator('[data-testid="search-contacts"]').inner_text()
    page.locator('[data-testid="search-customer"]').first.click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))


def test_filter_by_tag_then_bulk_tag_reaches_100_percent(open_page, org, customers):
    page = open_page(org.east_rep, viewport=DESKTOP)
    page.goto("/customers/")
    assert page.locator('[data-testid="customer-row"]').count() == 4
    save_screenshot(page, "customer-list-desktop")

    page.locator("summary").click()
    page.select_option("#id_tag", label="VIP")
    page.locator('[data-testid="filter-submit"]').click()
    page.wait_for_url(re.compile(r"tag="))
    rows = page.locator('[data-testid="customer-row"]')
    assert rows.count() == 1
    assert "张三科技有限公司" in rows.first.inner_text()
    save_screenshot(page, "customer-list-filtered")

    # sorting by a column header swaps only the table (htmx) and keeps the URL in step
    page.goto("/customers/")
    page.locator('[data-testid="sort-name"]').click()
    page.wait_for_url(re.compile(r"sort=name"))
    page.locator('[data-testid="sort-name"][aria-sort="ascending"]').wait_for()
    names = page.locator('[data-testid="customer-link"]').all_inner_texts()
    assert names == ["李四贸易", "欧阳娜娜工作室", "王五餐饮", "张三科技有限公司"]
    page.locator('[data-testid="select-all"]').check()
    assert page.locator(".row-select:checked").count() == 4
    # leave one out
    page.locator('[data-testid="customer-row"]').last.locator(".row-select").uncheck()
    page.select_option("#id_action", "tag")
    # Tom Select replaces the tag <select>: type into its control and pick the option
    page.locator("#bulk-actions .ts-control").first.click()
    page.locator(".ts-dropdown .option", has_text="经销商").click()
    page.keyboard.press("Escape")
    page.locator('[data-testid="bulk-submit"]').click()
    page.wait_for_url(re.compile(r"/platform/jobs/"))
    page.locator('[data-testid="job-percent"]', has_text="100%").wait_for()
    save_screenshot(page, "bulk-tag-job-done")
    tagged = Customer.objects.filter(tags__name="经销商").count()
    assert tagged == 3


def test_customer_list_on_a_phone(open_page, org, customers):
    page = open_page(org.east_rep, viewport=PHONE)
    page.goto("/customers/")
    rows = page.locator('[data-testid="customer-row"]')
    assert rows.count() == 4
    # secondary columns are hidden, the name and phone stay
    assert not page.locator("th.hide-on-phone").first.is_visible()
    assert page.locator('[data-testid="customer-link"]').first.is_visible()
    # nothing wider than the screen except inside the scrollable table
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    save_screenshot(page, "customer-list-phone")
    page.locator('[data-testid="customer-link"]', has_text="张三科技有限公司").click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))


def test_contact_list_and_search_page_on_a_phone(open_page, org, customers):
    page = open_page(org.east_rep, viewport=PHONE)
    page.goto("/customers/contacts/")
    assert page.locator('[data-testid="contact-row"]').count() == 1
    save_screenshot(page, "contact-list-phone")
    page.goto("/customers/search/?q=zs")
    assert page.locator('[data-testid="search-customer"]').count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    save_screenshot(page, "search-phone")


def test_admin_creates_a_tag_and_a_choice_field(open_page, org, customers):
    page = open_page(org.admin, viewport=DESKTOP)
    page.goto("/customers/tags/")
    page.fill("#tag-group-form input[name=name]", "客户类型")
    page.locator("#tag-group-form button").click()
    page.locator('[data-testid="tag-create"]').click()
    page.fill("#id_name", "VIP")  # taken
    page.locator('[data-testid="tag-save"]').click()
    assert page.locator('[data-testid="error-name"]').is_visible()
    page.fill("#id_name", "重点客户")
    page.select_option("#id_group", label="客户类型")
    page.locator('[data-testid="tag-save"]').click()
    page.wait_for_url(re.compile(r"/customers/tags/$"))
    assert "重点客户" in page.locator('[data-testid="tag-list"]').inner_text()
    save_screenshot(page, "tag-list-desktop")

    page.goto("/customers/custom-fields/create/?target=customer")
    page.fill("#id_key", "region")
    page.fill("#id_label", "区域")
    page.select_option("#id_field_type", "choice")
    page.locator('[data-testid="custom-field-save"]').click()
    assert page.locator('[data-testid="error-choices"]').is_visible()
    save_screenshot(page, "custom-field-form-error")
    page.fill("#id_choices", "华东\n华南")
    page.locator('[data-testid="custom-field-save"]').click()
    page.wait_for_url(re.compile(r"/customers/custom-fields/$"))
    save_screenshot(page, "custom-field-list")
    # the new field is a filter on the customer list
    page.goto("/customers/?cf_region=华东")
    assert page.locator("#id_cf_region").is_visible()
