"""In Chromium: from the customer 360 to a new opportunity, its detail page, losing it
with a reason and reopening it; the list and the pipeline settings (screenshots of each
page on a desktop and a phone)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.services import customer_create
from guanxi.deals.models import Opportunity, OpportunityStatus
from guanxi.deals.tests.factories import days_from_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_create_lose_and_reopen_from_the_360(open_page: Any, org: Any, viewport: Any) -> None:
    size = "phone" if viewport is PHONE else "desktop"
    customer = customer_create(actor=org.east_rep, name="宁波港口物流有限公司")
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.pk}/")
    panel = page.get_by_test_id("customer-opportunities")
    expect(panel).to_contain_text("暂无商机。")
    panel.get_by_test_id("customer-opportunity-create").click()
    page.fill("#id_title", "港口调度系统")
    page.fill("#id_amount", "-5")
    page.fill("#id_expected_close_on", days_from_today(30).isoformat())
    page.get_by_test_id("save-opportunity").click()
    expect(page.get_by_test_id("error-amount")).to_be_visible()
    page.fill("#id_amount", "256000")
    page.fill("#id_next_step", "下周二现场调研")
    save_screenshot(page, f"opportunity-form-{size}")
    page.get_by_test_id("save-opportunity").click()
    page.wait_for_url(re.compile(r"/deals/opportunities/\d+/$"))
    expect(page.get_by_test_id("amount")).to_contain_text("256,000.00")
    save_screenshot(page, f"opportunity-detail-{size}")
    page.get_by_test_id("lose-open").click()
    page.fill("#id_reason", "客户选择了自建系统")
    page.get_by_test_id("lose").click()
    expect(page.get_by_test_id("lost-reason")).to_have_text("客户选择了自建系统")
    opportunity = Opportunity.objects.get(title="港口调度系统")
    assert opportunity.status == OpportunityStatus.LOST
    page.get_by_test_id("reopen").click()
    expect(page.get_by_test_id("stage-history")).to_contain_text("输单 → ")
    opportunity.refresh_from_db()
    assert opportunity.is_open
    page.goto(f"/customers/{customer.pk}/")
    expect(page.get_by_test_id("customer-opportunity-row")).to_contain_text("港口调度系统")
    save_screenshot(page, f"customer-360-opportunities-{size}")
    page.goto("/deals/opportunities/")
    expect(page.get_by_test_id("opportunity-row")).to_have_count(1)
    save_screenshot(page, f"opportunity-list-{size}")


def test_pipeline_settings(open_page: Any, org: Any) -> None:
    page = open_page(org.manager, viewport=DESKTOP)
    page.goto("/deals/pipelines/")
    page.fill("#new-pipeline", "渠道合作")
    page.get_by_role("button", name=re.compile("standard stages|标准阶段")).click()
    page.wait_for_url(re.compile(r"/deals/pipelines/\d+/$"))
    page.fill("#stage-name", "样品测试")
    page.fill("#stage-probability", "40")
    page.get_by_role("button", name=re.compile("Add stage|添加阶段")).click()
    expect(page.get_by_test_id("stage-row")).to_have_count(7)
    save_screenshot(page, "pipeline-settings-desktop")
