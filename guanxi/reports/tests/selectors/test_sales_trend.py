from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.reports.selectors import ReportFilter, growth, sales_trend
from guanxi.reports.services import add_months, sales_month_rebuild
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = pytest.mark.django_db


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def three_months() -> ReportFilter:
    current = this_month()
    return ReportFilter(date_from=add_months(current, -2), date_to=timezone.localdate())


def by_month(trend: Any) -> dict[dt.date, Any]:
    return {row.month: row for row in trend.months}


def test_year_on_year_and_previous_period(org: Any) -> None:
    customer = make_customer(org.east_rep)
    current = this_month()
    period = [add_months(current, offset) for offset in (-2, -1, 0)]
    for index, month in enumerate(period):
        make_sale(customer=customer, day=month, total=1000 * (index + 1), profit=100)
        make_sale(customer=customer, day=add_months(month, -12), total=500 * (index + 1))
        make_sale(customer=customer, day=add_months(month, -3), total=2000)
    make_sale(customer=customer, day=period[0], total=999, status="refunded")
    make_sale(customer=customer, day=period[0], total=999, status="draft")
    sales_month_rebuild(actor=None)

    trend = sales_trend(actor=org.admin, filters=three_months())
    rows = by_month(trend)
    assert list(rows) == period
    assert [rows[m].revenue for m in period] == [Decimal(1000), Decimal(2000), Decimal(3000)]
    assert [rows[m].revenue_last_year for m in period] == [
        Decimal("500.00"),
        Decimal("1000.00"),
        Decimal("1500.00"),
    ]
    assert [rows[m].revenue_previous for m in period] == [Decimal("2000.00")] * 3
    assert rows[period[0]].previous_month == add_months(period[0], -3)
    assert rows[period[0]].last_year_month == add_months(period[0], -12)
    assert [rows[m].yoy for m in period] == [100.0, 100.0, 100.0]
    assert [rows[m].vs_previous for m in period] == [-50.0, 0.0, 50.0]
    assert rows[period[2]].is_current
    totals = trend.totals
    assert totals.revenue == Decimal("6000.00")
    assert totals.revenue_last_year == Decimal("3000.00")
    assert totals.revenue_previous == Decimal("6000.00")
    assert totals.orders == 3 and totals.orders_previous == 3 and totals.orders_last_year == 3
    assert totals.yoy == 100.0 and totals.vs_previous == 0.0
    assert totals.profit == Decimal("300.00") and totals.margin == 5.0
    assert trend.previous.start == add_months(current, -5)
    assert trend.as_of is not None
    url = rows[period[0]].orders_url
    assert url.startswith("/sales/orders/?date_from=") and f"date_from={period[0]}" in url


def test_growth_without_a_base_is_none() -> None:
    assert growth(Decimal(5), Decimal(0)) is None
    assert growth(Decimal(50), Decimal(-100)) == 150.0
    assert growth(0, 10) == -100.0


def test_current_month_is_live_past_months_wait_for_a_refresh(org: Any) -> None:
    customer = make_customer(org.east_rep)
    sales_month_rebuild(actor=None)
    make_sale(customer=customer, day=timezone.localdate(), total=700)
    make_sale(customer=customer, day=add_months(this_month(), -1), total=300)
    rows = by_month(sales_trend(actor=org.admin, filters=three_months()))
    assert rows[this_month()].revenue == Decimal("700.00")
    assert rows[add_months(this_month(), -1)].revenue == Decimal("0.00")
    sales_month_rebuild(actor=None)
    rows = by_month(sales_trend(actor=org.admin, filters=three_months()))
    assert rows[add_months(this_month(), -1)].revenue == Decimal("300.00")


def _sales_in_every_team(org: Any) -> None:
    last_month = add_months(this_month(), -1)
    for rep, amount in ((org.east_rep, 100), (org.east_rep2, 20), (org.west_rep, 3)):
        customer = make_customer(rep)
        make_sale(customer=customer, day=last_month, total=amount)
        make_sale(customer=customer, day=timezone.localdate(), total=amount)
    sales_month_rebuild(actor=None)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", 123), ("manager", 123), ("east_rep", 100), ("east_rep2", 20), ("west_rep", 3)],
)
def test_each_role_sees_its_scope_only(org: Any, who: str, expected: int) -> None:
    _sales_in_every_team(org)
    rows = by_month(sales_trend(actor=getattr(org, who), filters=three_months()))
    assert rows[add_months(this_month(), -1)].revenue == Decimal(expected)
    assert rows[this_month()].revenue == Decimal(expected)


def test_a_rep_filtering_by_someone_else_still_sees_nothing_of_theirs(org: Any) -> None:
    _sales_in_every_team(org)
    trend = sales_trend(
        actor=org.east_rep,
        filters=ReportFilter(date_from=add_months(this_month(), -1), owner=org.west_rep.pk),
    )
    assert trend.totals.revenue == Decimal("0.00")


def test_team_filter_takes_sub_teams(org: Any) -> None:
    _sales_in_every_team(org)
    filters = three_months()
    filters.team = org.east.pk
    assert sales_trend(actor=org.manager, filters=filters).totals.revenue == Decimal(240)
    filters.team = org.sales_dept.pk
    assert sales_trend(actor=org.manager, filters=filters).totals.revenue == Decimal(246)
    filters.team = None
    filters.owner = org.east_rep2.pk
    assert sales_trend(actor=org.manager, filters=filters).totals.revenue == Decimal(40)


def test_without_the_permission_nothing(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        sales_trend(actor=org.service_agent, filters=ReportFilter())


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (ReportFilter(date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 1, 1)), "date_from"),
        (ReportFilter(date_from=dt.date(1800, 1, 1)), "date_from"),
        (ReportFilter(date_from=dt.date(2000, 1, 1), date_to=dt.date(2026, 1, 1)), "date_from"),
        (ReportFilter(owner=999999), "owner"),
        (ReportFilter(team=999999), "team"),
    ],
)
def test_bad_filters_are_field_errors(org: Any, filters: ReportFilter, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        sales_trend(actor=org.admin, filters=filters)
    assert field in raised.value.field_errors


def test_default_period_is_the_last_twelve_months(org: Any) -> None:
    trend = sales_trend(actor=org.admin, filters=ReportFilter())
    assert len(trend.months) == 12
    assert trend.months[-1].month == this_month()
