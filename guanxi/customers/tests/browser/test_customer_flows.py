"""A sales rep works with one customer in Chromium: creates it with a contact, edits it
in two tabs and meets the conflict, deletes and restores it, records a follow-up;
the create flow again at phone size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer, Interaction
from guanxi.customers.services import contact_create, customer_create, interaction_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_create_customer_with_a_contact(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    page = open_page(org.east_rep, viewport=viewport)
    page.goto("/customers/create/")
    expect(page.locator("#customer-form")).to_be_visible()
    page.fill("#id_name", "苏州园林设计有限公司")
    page.fill("#id_short_name", "园林设计")
    page.select_option("#id_grade", "A")
    page.fill("#id_phones", "13812345678")
    page.fill("#id_emails", "hello@yuanlin.example.com")
    page.fill("#id_city", "苏州市")
    page.fill("#id_notes", "<script>alert(1)</script>重点跟进")
    page.fill("#id_contact_name", "周总")
    page.fill("#id_contact_title", "总经理")
    page.fill("#id_contact_phones", "13900001111")
    save_screenshot(page, f"customer-form-{size}")
    page.click("[data-testid=save-customer]")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_test_id("customer-name")).to_have_text("苏州园林设计有限公司")
    expect(page.get_by_test_id("contact-name")).to_have_text("周总")
    expect(page.get_by_test_id("primary-contact")).to_be_visible()
    expect(page.get_by_test_id("customer-notes")).to_have_text("重点跟进")
    save_screenshot(page, f"customer-detail-{size}")
    page.get_by_test_id("edit-contact").click()
    expect(page.locator("#contact-form")).to_be_visible()
    save_screenshot(page, f"contact-form-{size}")
    customer = Customer.objects.get()
    assert customer.phones == ["+8613812345678"] and customer.contacts.count() == 1


def test_bad_input_in_the_browser_shows_field_errors(open_page, org):
    page = open_page(org.east_rep)
    page.goto("/customers/create/")
    page.fill("#id_name", "坏数据")
    page.fill("#id_phones", "12345")
    page.fill("#id_contact_name", "周总")
    page.fill("#id_contact_phones", "nope")
    page.click("[data-testid=save-customer]")
    expect(page.get_by_test_id("error-phones")).to_be_visible()
    expect(page.get_by_test_id("error-contact_phones")).to_be_visible()
    save_screenshot(page, "customer-form-errors")
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_edit_in_two_tabs_shows_the_conflict(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="两个标签页", industry="制造")
    first = open_page(org.east_rep, viewport=viewport)
    second = first.context.new_page()
    url = f"/customers/{customer.pk}/update/"
    first.goto(url)
    second.goto(url)
    first.fill("#id_industry", "物流")
    first.click("[data-testid=save-customer]")
    first.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    second.fill("#id_industry", "零售")
    second.click("[data-testid=save-customer]")
    conflict = second.locator("#conflict-message")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("物流")
    expect(conflict).to_contain_text("零售")
    expect(second.locator("#id_industry")).to_have_value("零售")
    save_screenshot(second, f"customer-conflict-{size}")
    customer.refresh_from_db()
    assert customer.industry == "物流"
    second.click("[data-testid=save-customer]")  # deliberately overwrite
    second.wait_for_url(re.compile(rf"/customers/{customer.pk}/$"))
    customer.refresh_from_db()
    assert customer.industry == "零售"
    second.goto(f"/customers/{customer.pk}/history/")
    expect(second.get_by_test_id("history-row")).to_have_count(3)
    expect(second.locator("#customer-history")).to_contain_text("零售")
    save_screenshot(second, f"customer-history-{size}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_delete_and_restore_from_the_recycle_bin(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="可恢复客户")
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=delete-customer]")
    page.wait_for_url(re.compile(r"/customers/$"))
    expect(page.get_by_test_id("recycle-bin-link")).to_be_visible()
    page.get_by_test_id("recycle-bin-link").click()
    page.wait_for_url(re.compile(r"/platform/recycle-bin/$"))
    row = page.locator("tr", has_text="可恢复客户")
    save_screenshot(page, f"recycle-bin-{size}")
    row.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/platform/recycle-bin/$"))
    customer.refresh_from_db()
    assert customer.deleted_at is None
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-name")).to_have_text("可恢复客户")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_record_a_follow_up_and_see_it_on_the_timeline(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="跟进客户", phones=["13812345678"])
    contact_create(actor=org.east_rep, customer=customer, name="钱经理", title="采购")
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    page.select_option("#id_kind", "visit")
    page.select_option("#id_contact", label="钱经理 · 采购")
    page.fill("#id_content", "上门拜访，客户对报价满意")
    page.fill("#id_next_follow_up_on", timezone.localdate().isoformat())
    page.click("[data-testid=save-interaction]")
    event = page.get_by_test_id("timeline-event").first
    expect(event).to_contain_text("上门拜访，客户对报价满意")
    expect(event).to_contain_text("钱经理")
    expect(page.locator("#id_content")).to_have_value("")  # the form was reset
    assert page.url.endswith(f"/customers/{customer.pk}/")  # no page load
    save_screenshot(page, f"customer-follow-up-{size}")
    page.goto("/")
    expect(page.locator("#follow-ups-due")).to_contain_text("跟进客户")
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_test_id("follow-up-done-button").click()
    expect(page.get_by_test_id("follow-up-done")).to_be_visible()
    assert Interaction.objects.get().is_follow_up_done


def test_timeline_load_more(open_page, org):
    customer = customer_create(actor=org.east_rep, name="很多跟进")
    start = timezone.now() - dt.timedelta(days=2)
    for number in range(60):
        interaction_create(
            actor=org.east_rep,
            customer=customer,
            kind="note",
            content=f"记录{number}",
            occurred_at=start + dt.timedelta(minutes=number),
        )
    page = open_page(org.east_rep)
    page.goto(f"/customers/{customer.pk}/")
    events = page.get_by_test_id("timeline-event")
    expect(events).to_have_count(20)  # the first page, loaded by htmx after the page
    page.get_by_test_id("timeline-load-more").click()
    expect(events).to_have_count(61)  # 60 notes and "customer created"
    expect(page.get_by_test_id("timeline-load-more")).to_have_count(0)
    expect(events.last).to_contain_text("记录0")
