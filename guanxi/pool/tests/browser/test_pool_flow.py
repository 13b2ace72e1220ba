"""In Chromium: a rep opens the shared pool, claims a customer in place (htmx), finds
it in their customer list, then releases it from the 360 page with a reason; a
second claim by a colleague of an already-claimed row says who has it. Desktop and
phone size; screenshots of the pool, release and rules pages."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.models import Customer
from guanxi.pool.models import PoolEvent
from guanxi.pool.tests.factories import make_pool_customer, make_pool_lead, make_rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_claim_from_the_pool(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    make_rule(team=org.sales_dept, max_customers=20, recycle_without_follow_up_days=30)
    customer = make_pool_customer(
        team=org.east, name="苏州丝绸进出口公司", province="江苏", industry="纺织", source="展会"
    )
    other = make_pool_customer(team=org.west, name="重庆火锅食品厂", province="重庆")
    make_pool_lead(team=org.east, name="周小川", company="无锡小天鹅商贸")

    page = open_page(org.east_rep, viewport=viewport)
    page.goto("/pool/")
    expect(page.get_by_test_id("holding-badge")).to_contain_text("0 / 20")
    row = page.get_by_test_id("pool-row").filter(has_text="苏州丝绸进出口公司")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("pool-row").filter(has_text="重庆火锅食品厂")).to_be_visible()
    save_screenshot(page, f"pool-list-{size}")
    page.get_by_test_id(f"claim-{customer.pk}").click()
    expect(page.get_by_test_id("pool-row-message")).to_contain_text("苏州丝绸进出口公司")
    expect(page.get_by_test_id("holding-badge")).to_contain_text("1 / 20")
    save_screenshot(page, f"pool-claimed-{size}")
    assert Customer.objects.get(pk=customer.pk).owner_id == org.east_rep.pk

    # The colleague's page still shows the row: their claim says who has it.
    colleague = open_page(org.west_rep, viewport=viewport)
    colleague.goto("/pool/")
    colleague.get_by_test_id(f"claim-{other.pk}").click()
    expect(colleague.get_by_test_id("pool-row-message")).to_contain_text("重庆火锅食品厂")

    page.goto("/customers/")
    expect(
        page.get_by_test_id("customer-row").filter(has_text="苏州丝绸进出口公司")
    ).to_be_visible()

    page.goto("/pool/?kind=lead")
    expect(page.get_by_test_id("pool-row").filter(has_text="周小川")).to_be_visible()
    save_screenshot(page, f"pool-leads-{size}")

    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-pool")).to_contain_text("张三")
    if os.environ.get("GUANXI_SCREENSHOT_DIR"):
        page.get_by_test_id("customer-pool").screenshot(
            path=os.path.join(os.environ["GUANXI_SCREENSHOT_DIR"], f"pool-360-panel-{size}.png")
        )
    page.get_by_test_id("pool-release").click()
    page.wait_for_url(re.compile(r"/pool/customer/\d+/release/"))
    page.fill("#id_reason", "   ")  # blank (the browser itself refuses an empty field)
    page.get_by_test_id("pool-release-submit").click()
    expect(page.get_by_test_id("error-reason")).to_be_visible()
    page.fill("#id_reason", "客户预算冻结，明年再联系")
    save_screenshot(page, f"pool-release-{size}")
    page.get_by_test_id("pool-release-submit").click()
    page.wait_for_url(re.compile(r"/pool/\?kind=customer"))
    expect(page.get_by_test_id("pool-row").filter(has_text="苏州丝绸进出口公司")).to_be_visible()
    assert Customer.objects.get(pk=customer.pk).owner_id is None
    assert PoolEvent.objects.filter(customer=customer).count() == 2

    page.goto("/pool/history/")
    expect(page.get_by_test_id("pool-history-row").first).to_contain_text("客户预算冻结")
    save_screenshot(page, f"pool-history-{size}")

    admin = open_page(org.admin, viewport=viewport)
    admin.goto("/pool/rules/")
    save_screenshot(admin, f"pool-rules-{size}")
    admin.goto("/pool/rules/create/")
    save_screenshot(admin, f"pool-rule-form-{size}")
