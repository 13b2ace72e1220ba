from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from guanxi.platform.testing.api_client import assert_problem
from guanxi.reports.services import add_months, sales_month_rebuild
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = pytest.mark.django_db


def _sales(org: Any) -> None:
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    make_sale(customer=make_customer(org.east_rep), day=last_month, total="1234.50")
    make_sale(customer=make_customer(org.west_rep), day=last_month, total="10.00")
    sales_month_rebuild(actor=None)


def test_trend_for_a_rep_is_their_own(org: Any, api_as: Any) -> None:
    _sales(org)
    response = api_as(org.east_rep).get("/api/v1/reports/sales-trend")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["months"]) == 12
    assert body["totals"]["revenue"] == "1234.50"
    assert body["months"][-2]["revenue"] == "1234.50"
    assert body["data_as_of"] is not None
    assert body["period"]["end"] >= timezone.localdate().isoformat()
    everyone = api_as(org.admin).get("/api/v1/reports/sales-trend").json()
    assert everyone["totals"]["revenue"] == "1244.50"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-13-01", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("date_from=2026-05-01&date_to=2026-01-01", "date_from"),
        ("date_from=1700-01-01", "date_from"),
        ("owner=abc", "owner"),
        ("owner=0", "owner"),
        ("team=99999", "team"),
    ],
)
def test_bad_parameters_are_422_with_the_field(
    org: Any, api_as: Any, query: str, field: str
) -> None:
    for path in ("sales-trend", "funnel"):
        body = assert_problem(api_as(org.admin).get(f"/api/v1/reports/{path}?{query}"), 422)
        assert field in body["errors"], body


def test_forecast_bad_owner_is_422(org: Any, api_as: Any) -> None:
    body = assert_problem(api_as(org.admin).get("/api/v1/reports/forecast?owner=x"), 422)
    assert "owner" in body["errors"]


def test_without_the_permission_403(org: Any, api_as: Any) -> None:
    for path in ("sales-trend", "funnel", "forecast"):
        assert_problem(api_as(org.service_agent).get(f"/api/v1/reports/{path}"), 403)
        assert_problem(api_as(None).get(f"/api/v1/reports/{path}"), 401)


def test_forecast_says_not_enough_history(org: Any, api_as: Any) -> None:
    _sales(org)
    body = api_as(org.admin).get("/api/v1/reports/forecast").json()
    assert body["method"] is None
    assert body["history_months"] == 1
    assert body["next_3_months"] is None
    assert len(body["months"]) == 6
    assert body["months"][0]["month"] == timezone.localdate().replace(day=1).isoformat()


def test_forecast_with_history(org: Any, api_as: Any) -> None:
    customer = make_customer(org.east_rep)
    current = timezone.localdate().replace(day=1)
    for months_back in range(1, 31):
        day = add_months(current, -months_back)
        make_sale(customer=customer, day=day, total=1000 + 10 * months_back)
    sales_month_rebuild(actor=None)
    body = api_as(org.east_rep).get("/api/v1/reports/forecast").json()
    assert body["method"] == "holt_winters"
    assert body["history_months"] == 30
    assert body["backtest"]["months"] == 6
    assert body["backtest"]["mape_percent"] is not None
    assert body["next_3_months"] is not None
    # Someone else's scope sees no history at all.
    assert api_as(org.west_rep).get("/api/v1/reports/forecast").json()["history_months"] == 0


def test_unknown_pipeline_is_404(org: Any, api_as: Any) -> None:
    assert_problem(api_as(org.admin).get("/api/v1/reports/funnel?pipeline=987654"), 404)
