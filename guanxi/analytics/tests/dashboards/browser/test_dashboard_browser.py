"""In Chromium with demo data: open the dashboard, switch the period, click a grade
bar and land on the list of those customers; the phone layout stacks the charts."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.tests.browser.test_churn_flow import grant_view_scores
from guanxi.conftest import PASSWORD, save_screenshot
from guanxi.customers.models import Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _demo(customers: int = 300) -> Any:
    from guanxi.demo.generator import demo_create

    result = demo_create(customers=customers, password=PASSWORD)
    grant_view_scores()
    dashboard_tables_refresh()
    return result


def _click_bar(page: Any, test_id: str, category_index: int) -> None:
    """Click the middle of one bar of a vertical bar chart (ECharts draws on canvas)."""
    chart = page.get_by_test_id(test_id)
    expect(chart.locator("canvas").first).to_be_visible()
    expect(chart).to_have_attribute("data-ready", "1")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([selector, index]) => {
            const chart = echarts.getInstanceByDom(document.querySelector(selector));
            const value = chart.getOption().series[0].data[index].value;
            return chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
        }""",
        [f"[data-testid={test_id}]", category_index],
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_dashboard_switch_range_and_drill_into_a_grade(open_page, org) -> None:
    _demo()
    grade_a = Customer.objects.filter(grade="A", deleted_at__isnull=True).count()
    assert grade_a > 0
    page = open_page(org.admin, viewport=DESKTOP)
    page.goto("/analytics/dashboard/?view=company")
    expect(page.get_by_test_id("dashboard-kpis")).to_be_visible()
    expect(page.get_by_test_id("chart-grades").locator("canvas").first).to_be_visible()
    page.select_option("#id_preset", "this_year")
    page.get_by_test_id("dashboard-show").click()
    page.wait_for_url("**preset=this_year**")
    expect(page.get_by_test_id("chart-rfm").locator("canvas").first).to_be_visible()
    page.wait_for_timeout(500)
    save_screenshot(page, "analytics-dashboard-company-desktop")
    _click_bar(page, "chart-grades", 0)
    page.wait_for_url("**/analytics/customers/**grade=A**")
    rows = page.get_by_test_id("drill-row")
    expect(rows.first).to_be_visible()
    assert rows.count() == min(grade_a, 50)
    save_screenshot(page, "analytics-dashboard-drilldown-desktop")


def test_rep_dashboard_on_a_phone(open_page, org) -> None:
    result = _demo()
    from guanxi.accounts.models import User

    rep = (
        User.objects.filter(username__in=[s.username for s in result.staff], role__code="sales")
        .order_by("pk")
        .first()
    )
    page = open_page(rep, viewport=PHONE)
    page.goto("/analytics/dashboard/?preset=last_12_months")
    expect(page.get_by_test_id("dashboard-kpis")).to_be_visible()
    grades = page.get_by_test_id("chart-grades")
    stages = page.get_by_test_id("chart-stages")
    expect(grades.locator("canvas").first).to_be_visible()
    grade_box, stage_box = grades.bounding_box(), stages.bounding_box()
    assert grade_box["width"] <= 390 and stage_box["y"] > grade_box["y"] + grade_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A rep gets no company view.
    assert page.locator("#id_view option[value=company]").count() == 0
    page.wait_for_timeout(500)
    save_screenshot(page, "analytics-dashboard-rep-phone")
