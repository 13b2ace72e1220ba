"""In Chromium: a rep enters a lead, records a follow-up, converts it (new customer
plus an opportunity) and lands on the customer's 360 page with the contact, the
moved follow-up and the conversion on the timeline; desktop and phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create
from guanxi.leads.models import Lead, LeadStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_convert_a_lead(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    # Someone else's customer with the same company name: the duplicate check shows it.
    customer_create(actor=org.west_rep, name="杭州云栖科技股份有限公司")

    page = open_page(org.east_rep, viewport=viewport)
    page.goto("/leads/")
    page.get_by_test_id("lead-create").click()
    page.wait_for_url(re.compile(r"/leads/create/$"))
    page.fill("#id_name", "陈晓明")
    page.fill("#id_company", "杭州云栖科技有限公司")
    page.fill("#id_title", "采购经理")
    page.fill("#id_mobile", "138 1234 5678")
    page.fill("#id_province", "浙江")
    page.select_option("#id_source", "exhibition")
    save_screenshot(page, f"leads-form-{size}")
    page.get_by_test_id("save-lead").click()
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    lead = Lead.objects.get()
    expect(page.get_by_test_id("lead-name")).to_have_text("陈晓明")

    page.select_option("#id_kind", "call")
    page.fill("#id_content", "电话沟通了采购需求，约下周拜访")
    page.get_by_test_id("save-activity").click()
    expect(page.get_by_test_id("activity")).to_have_count(1)
    expect(page.get_by_test_id("lead-status")).to_contain_text(re.compile("Contacted|已联系"))
    save_screenshot(page, f"leads-detail-{size}")

    page.get_by_test_id("lead-convert").click()
    page.wait_for_url(re.compile(rf"/leads/{lead.pk}/convert/$"))
    expect(page.get_by_test_id("duplicate-candidate")).to_have_count(1)
    expect(page.get_by_test_id("duplicate-candidate")).to_contain_text("杭州云栖科技股份有限公司")
    page.check("input[name=target][value=new]")
    page.check("#id_create_opportunity")
    page.fill("#id_opportunity_title", "云栖 CRM 首单")
    page.fill("#id_opportunity_amount", "120000")
    close_on = timezone.localdate() + dt.timedelta(days=30)
    page.fill("#id_opportunity_close_on", close_on.isoformat())
    save_screenshot(page, f"leads-convert-{size}")
    page.get_by_test_id("confirm-convert").click()
    page.wait_for_url(re.compile(r"/customers/\d+/$"))

    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED
    customer = Customer.objects.get(pk=lead.converted_customer_id)
    assert page.url.endswith(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("contact-name")).to_have_text("陈晓明")
    expect(page.get_by_text("电话沟通了采购需求，约下周拜访").first).to_be_visible()
    expect(page.locator("[data-kind='lead.converted']")).to_have_count(1)
    save_screenshot(page, f"leads-customer-360-{size}")

    page.goto(f"/leads/{lead.pk}/")
    expect(page.get_by_test_id("converted-banner")).to_be_visible()
    expect(page.get_by_test_id("lead-edit")).to_have_count(0)
    page.goto("/leads/")
    save_screenshot(page, f"leads-list-{size}")
