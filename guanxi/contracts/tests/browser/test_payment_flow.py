"""In Chromium: a rep opens a signed contract with an overdue instalment, records a
payment, and sees the outstanding amount and the instalment statuses change in place;
then the other pages (list, form, receivables, 360) are looked at; desktop and phone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.contracts.models import Payment
from guanxi.contracts.tests.factories import make_signed_contract
from guanxi.customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_record_a_payment(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    today = timezone.localdate()
    customer = customer_create(actor=org.east_rep, name="杭州西湖龙井茶业有限公司", grade="A")
    contract = make_signed_contract(
        customer=customer,
        owner=org.east_rep,
        approver=org.manager,
        title="2026年度茶叶供货合同",
        amount=Decimal("120000.00"),
        start_on=today - dt.timedelta(days=60),
        end_on=today + dt.timedelta(days=300),
        signed_on=today - dt.timedelta(days=55),
        instalments=[
            (today - dt.timedelta(days=20), Decimal("40000")),
            (today + dt.timedelta(days=40), Decimal("40000")),
            (today + dt.timedelta(days=160), Decimal("40000")),
        ],
    )

    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/contracts/{contract.pk}/")
    expect(page.get_by_test_id("contract-outstanding")).to_have_text("120000.00")
    expect(page.get_by_test_id("contract-overdue")).to_be_visible()
    statuses = page.get_by_test_id("instalment-status")
    expect(statuses.nth(0)).to_have_text(re.compile("Overdue|逾期"))
    save_screenshot(page, f"contracts-detail-before-{size}")

    form = page.get_by_test_id("payment-form")
    form.locator("#id_amount").fill("999999")
    form.get_by_test_id("payment-save").click()
    expect(page.get_by_test_id("error-amount")).to_be_visible()
    assert not Payment.objects.exists()

    form = page.get_by_test_id("payment-form")
    form.locator("#id_amount").fill("50000")
    form.locator("#id_method").select_option("wechat")
    form.locator("#id_reference").fill("微信转账 4200001234")
    form.get_by_test_id("payment-save").click()
    expect(page.get_by_test_id("contract-outstanding")).to_have_text("70000.00")
    expect(page.get_by_test_id("contract-received")).to_have_text("50000.00")
    expect(page.get_by_test_id("payment-recorded")).to_be_visible()
    expect(page.get_by_test_id("contract-overdue")).to_have_count(0)
    statuses = page.get_by_test_id("instalment-status")
    expect(statuses.nth(0)).to_have_text(re.compile("Paid|已回款"))
    expect(statuses.nth(1)).to_have_text(re.compile("Partly paid|部分"))
    expect(statuses.nth(2)).to_have_text(re.compile("Unpaid|未回款"))
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    assert page.url.endswith(f"/contracts/{contract.pk}/")  # recorded in place
    save_screenshot(page, f"contracts-detail-after-{size}")
    payment = Payment.objects.get()
    assert payment.amount == Decimal("50000.00") and payment.method == "wechat"

    page.goto("/contracts/")
    expect(page.get_by_test_id("contract-row")).to_have_count(1)
    save_screenshot(page, f"contracts-list-{size}")
    page.goto(f"/customers/{customer.pk}/")
    save_screenshot(page, f"contracts-customer-360-{size}")
    page.goto("/contracts/create/")
    save_screenshot(page, f"contracts-form-{size}")

    manager = open_page(org.manager, viewport=viewport)
    manager.goto("/contracts/receivables/")
    expect(manager.get_by_test_id("receivables-total").first).to_have_text("70000.00")
    save_screenshot(manager, f"contracts-receivables-{size}")
