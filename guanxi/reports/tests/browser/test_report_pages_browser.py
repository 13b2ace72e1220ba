"""In Chromium: a manager opens the sales trend, reads the chart's numbers from
ECharts, clicks a month's bar and lands on that month's orders; then the funnel
and forecast tabs. Desktop and phone size."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.conftest import DESKTOP, PHONE, save_screenshot
from guanxi.deals.services import opportunity_stage_change, opportunity_win
from guanxi.deals.tests.factories import make_opportunity, stages_of
from guanxi.reports.services import add_months, sales_month_rebuild
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIES_DATA = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById('trend-chart'));
  return chart.getOption().series.find((s) => s.id === id).data;
}"""
BAR_PIXEL = """(index) => {
  const element = document.getElementById('trend-chart');
  const chart = echarts.getInstanceByDom(element);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, [index, 0]);
  const box = element.getBoundingClientRect();
  return [box.left + x, box.top + y - 20];
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_trend_chart_drill_down_funnel_and_forecast(
    open_page: Any, org: Any, viewport: Any
) -> None:
    size = "phone" if viewport is PHONE else "desktop"
    current = timezone.localdate().replace(day=1)
    east = make_customer(org.east_rep, name="杭州西湖茶行")
    west = make_customer(org.west_rep, name="成都宽窄巷子茶馆")
    for months_back in range(1, 27):
        month = add_months(current, -months_back)
        seasonal = 1 + 0.3 * (month.month in (1, 2, 12))
        make_sale(
            customer=east,
            day=month,
            total=Decimal(int(20000 * seasonal + 300 * (27 - months_back))),
        )
        make_sale(customer=west, day=month.replace(day=15), total=Decimal(8000))
    make_sale(customer=east, day=timezone.localdate(), total=Decimal("5000.00"))
    deals = [
        make_opportunity(actor=org.east_rep, amount=Decimal(amount))
        for amount in (30000, 50000, 80000, 12000)
    ]
    _first, second, third, *_rest = stages_of()
    for deal, stage in ((deals[0], third), (deals[1], second)):
        opportunity_stage_change(
            actor=org.east_rep, opportunity=deal, stage=stage, expected_version=deal.version
        )
    opportunity_win(actor=org.east_rep, opportunity=deals[2], expected_version=deals[2].version)
    sales_month_rebuild(actor=None)

    page = open_page(org.manager, viewport=viewport)
    page.goto("/reports/")
    expect(page.get_by_test_id("trend-chart").locator("canvas")).to_be_visible()
    revenue = page.evaluate(SERIES_DATA, "revenue")
    assert len(revenue) == 12
    assert revenue[-1] == 5000.0
    last_month = add_months(current, -1)
    expected = float(20000 * (1 + 0.3 * (last_month.month in (1, 2, 12))) // 1 + 300 * 26) + 8000
    assert revenue[-2] == expected
    last_year = page.evaluate(SERIES_DATA, "last_year")
    assert last_year[-1] > 0
    save_screenshot(page, f"reports-trend-{size}")

    # A rep sees only their customers' sales in the same chart.
    rep = open_page(org.west_rep, viewport=viewport)
    rep.goto("/reports/")
    expect(rep.get_by_test_id("trend-chart").locator("canvas")).to_be_visible()
    assert rep.evaluate(SERIES_DATA, "revenue")[-2] == 8000.0

    page.get_by_test_id("trend-chart").scroll_into_view_if_needed()
    x, y = page.evaluate(BAR_PIXEL, 10)
    if viewport is PHONE:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/sales/orders/\?date_from="))
    assert f"date_from={last_month.isoformat()}" in page.url
    expect(page.get_by_test_id("order-row")).to_have_count(2)

    page.goto("/reports/funnel/")
    expect(page.get_by_test_id("funnel-chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("funnel-created")).to_have_text("4")
    save_screenshot(page, f"reports-funnel-{size}")

    page.goto("/reports/forecast/")
    expect(page.get_by_test_id("forecast-chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("forecast-backtest")).to_contain_text("MAPE")
    names = page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById('forecast-chart'))
            .getOption().series.map((s) => s.id)"""
    )
    assert {"history", "forecast", "pipeline"} <= set(names)
    save_screenshot(page, f"reports-forecast-{size}")
