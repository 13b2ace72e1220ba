from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.deals.models import Opportunity
from guanxi.deals.services import (
    opportunity_lose,
    opportunity_stage_change,
    opportunity_win,
)
from guanxi.deals.tests.factories import make_opportunity, stages_of
from guanxi.platform.exceptions import NotFound
from guanxi.reports.funnel import sales_funnel, weighted_pipeline
from guanxi.reports.selectors import ReportFilter, sales_forecast
from guanxi.reports.services import add_months

pytestmark = pytest.mark.django_db


def move(opportunity: Opportunity, stage: Any, actor: Any) -> Opportunity:
    opportunity.refresh_from_db()
    return opportunity_stage_change(
        actor=actor, opportunity=opportunity, stage=stage, expected_version=opportunity.version
    )


def five_deals(org: Any, owner: Any | None = None) -> list[Any]:
    owner = owner or org.east_rep
    _first, second, third, fourth, _won, _lost = stages_of()
    a = make_opportunity(actor=owner, amount=Decimal(100))
    b = make_opportunity(actor=owner, amount=Decimal(200))
    move(b, third, owner)  # skips the second stage: it passed through it
    c = make_opportunity(actor=owner, amount=Decimal(300))
    move(c, second, owner)
    move(c, fourth, owner)
    c.refresh_from_db()
    opportunity_lose(actor=owner, opportunity=c, expected_version=c.version, reason="价格")
    d = make_opportunity(actor=owner, amount=Decimal(400))
    d.refresh_from_db()
    opportunity_win(actor=owner, opportunity=d, expected_version=d.version)
    e = make_opportunity(actor=owner, amount=Decimal(500), stage=second)
    return [a, b, c, d, e]


def test_reached_counts_amounts_and_conversion(org: Any) -> None:
    five_deals(org)
    report = sales_funnel(actor=org.east_rep, filters=ReportFilter())
    steps = report.steps
    assert [s.kind for s in steps] == ["open", "open", "open", "open", "won"]
    assert [s.count for s in steps] == [5, 4, 3, 2, 1]
    assert [s.amount for s in steps] == [
        Decimal(1500),
        Decimal(1400),
        Decimal(900),
        Decimal(700),
        Decimal(400),
    ]
    assert [s.conversion for s in steps] == [None, 80.0, 75.0, 66.7, 50.0]
    assert steps[-1].of_first == 20.0
    assert (report.created, report.won, report.lost) == (5, 1, 1)
    assert report.won_amount == Decimal(400) and report.lost_amount == Decimal(300)
    assert report.win_rate == 50.0
    [row] = report.owners
    assert (row.owner_id, row.created, row.won, row.lost, row.open) == (org.east_rep.pk, 5, 1, 1, 3)
    assert row.amount == Decimal(1500) and row.win_rate == 50.0


def test_funnel_scope_and_filters(org: Any) -> None:
    five_deals(org)
    make_opportunity(actor=org.west_rep, amount=Decimal(9))
    assert sales_funnel(actor=org.west_rep, filters=ReportFilter()).created == 1
    assert sales_funnel(actor=org.east_rep2, filters=ReportFilter()).created == 0
    assert sales_funnel(actor=org.manager, filters=ReportFilter()).created == 6
    east = ReportFilter(team=org.east.pk)
    assert sales_funnel(actor=org.manager, filters=east).created == 5
    by_owner = ReportFilter(owner=org.west_rep.pk)
    assert sales_funnel(actor=org.admin, filters=by_owner).steps[0].count == 1
    last_year = timezone.localdate() - dt.timedelta(days=400)
    old = ReportFilter(date_from=last_year, date_to=last_year)
    assert sales_funnel(actor=org.admin, filters=old).created == 0


def test_unknown_pipeline_is_not_found(org: Any) -> None:
    with pytest.raises(NotFound):
        sales_funnel(actor=org.admin, filters=ReportFilter(), pipeline_id=987654)


def test_weighted_pipeline_by_close_month_with_overdue_in_this_month(org: Any) -> None:
    _first, second, *_rest = stages_of()
    current = timezone.localdate().replace(day=1)
    make_opportunity(
        actor=org.east_rep,
        amount=Decimal(1000),
        expected_close_on=add_months(current, 2) + dt.timedelta(days=3),
    )  # 10 %
    later = make_opportunity(
        actor=org.east_rep,
        amount=Decimal(2000),
        stage=second,
        expected_close_on=add_months(current, 1),
    )  # 30 %
    overdue = make_opportunity(actor=org.east_rep, amount=Decimal(500))
    # An open deal whose close date has passed (the services refuse to set one).
    Opportunity.objects.filter(pk=overdue.pk).update(expected_close_on=add_months(current, -2))
    make_opportunity(actor=org.west_rep, amount=Decimal(7777))  # someone else's
    far = make_opportunity(
        actor=org.east_rep, amount=Decimal(5), expected_close_on=add_months(current, 7)
    )
    result = weighted_pipeline(actor=org.east_rep, start=current, months=6)
    assert result == {
        current: Decimal("50.00"),
        add_months(current, 1): Decimal("600.00"),
        add_months(current, 2): Decimal("100.00"),
    }
    assert far.pk and later.pk
    forecast = sales_forecast(actor=org.east_rep, filters=ReportFilter())
    assert forecast.has_pipeline
    assert forecast.pipeline3 == Decimal("750.00")
    assert [m.weighted_pipeline for m in forecast.months][:3] == [
        Decimal("50.00"),
        Decimal("600.00"),
        Decimal("100.00"),
    ]
