"""In Chromium: a manager opens the churn warning list, reads why a customer is
warned, starts a win-back in one click, and the owner has the task; an admin edits
a grade rule on the settings page. Desktop and phone size."""

from __future__ import annotations

import datetime
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.activities.models import Task
from guanxi.analytics.models import GradeRule
from guanxi.analytics.scoring import scores_compute
from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
_numbers = count(1)


def _history(owner, name: str, amount: str, last_days_ago: int) -> None:
    customer = CustomerFactory(owner=owner, name=name)
    today = timezone.localdate()
    for days in range(last_days_ago, last_days_ago + 360, 30):
        Order.objects.create(
            number=f"B{next(_numbers):06d}",
            customer=customer,
            order_date=today - datetime.timedelta(days=days),
            total=Decimal(amount),
            profit=Decimal(amount) / 4,
        )


def grant_view_scores() -> None:
    """What migration 0002 does; a transactional test's flush drops it, and the roles
    come back from accounts/builtin_roles.py, which does not list analytics yet."""
    from guanxi.accounts.models import Role
    from guanxi.analytics.permissions import BUILTIN_GRANTS

    for code, wanted in BUILTIN_GRANTS.items():
        role = Role.objects.get(code=code, is_builtin=True)
        role.permissions = sorted({*role.permissions, *wanted})
        role.save(update_fields=["permissions"])


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_churn_list_win_back_and_settings(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    grant_view_scores()
    _history(org.east_rep, "杭州西湖茶行", "6800.00", 120)
    _history(org.east_rep2, "苏州丝绸坊", "2300.00", 100)
    _history(org.west_rep, "成都火锅料", "900.00", 5)  # still buying: no warning
    scores_compute()

    page = open_page(org.manager, viewport=viewport)
    page.goto("/analytics/churn/")
    rows = page.get_by_test_id("churn-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("杭州西湖茶行")  # most value at risk first
    save_screenshot(page, f"analytics-churn-list-{size}")
    rows.nth(0).get_by_test_id("win-back").click()
    expect(rows.nth(0).get_by_test_id("win-back-started")).to_be_visible()
    save_screenshot(page, f"analytics-churn-win-back-{size}")
    assert Task.objects.filter(assignee=org.east_rep, customer__name="杭州西湖茶行").exists()

    admin = open_page(org.admin, viewport=viewport)
    admin.goto("/analytics/settings/")
    save_screenshot(admin, f"analytics-settings-{size}")
    admin.select_option("#id_rules-0-grade", "A")
    admin.fill("#id_rules-0-min_spend", "60000")
    admin.click("[data-testid=scoring-settings-save]")
    expect(admin.locator(".alert-success, .alert").first).to_be_visible()
    assert GradeRule.objects.filter(grade="A", min_spend=Decimal("60000")).exists()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_360_page_shows_value_risk_and_grade_history(open_page, org, viewport):
    size = "phone" if viewport is PHONE else "desktop"
    grant_view_scores()
    _history(org.east_rep, "杭州西湖茶行", "6800.00", 120)
    GradeRule.objects.create(grade="A", position=10, min_spend=Decimal("50000"))
    GradeRule.objects.create(grade="C", position=20)
    scores_compute()
    customer = Order.objects.filter(customer__name="杭州西湖茶行").first()
    page = open_page(org.east_rep, viewport=viewport)
    page.goto(f"/customers/{customer.customer_id}/")
    panel = page.get_by_test_id("customer-scores")
    expect(panel).to_be_visible()
    expect(panel.get_by_test_id("scores-at-risk")).to_be_visible()
    expect(panel.get_by_test_id("grade-change").first).to_contain_text("A")
    panel.scroll_into_view_if_needed()
    save_screenshot(page, f"analytics-360-panel-{size}")
    page.goto("/analytics/stage-flow/")
    expect(page.get_by_test_id("stage-flow-chart").locator("canvas")).to_have_count(1)
    save_screenshot(page, f"analytics-stage-flow-{size}")
