from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.reports.models import ReportRefresh
from guanxi.reports.services import add_months, sales_month_rebuild
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_trend_page_has_chart_data_and_drill_down_links(org: Any) -> None:
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    make_sale(customer=make_customer(org.east_rep), day=last_month, total="4321.00")
    sales_month_rebuild(actor=None)
    response = client_for(org.east_rep).get("/reports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="trend-chart"' in html
    chart = response.context["chart"]
    revenue = next(s for s in chart["option"]["series"] if s["id"] == "revenue")
    assert revenue["data"][-2] == 4321.0
    assert chart["urls"][-2].replace("&", "&amp;") in html
    assert f"date_from={last_month}" in chart["urls"][-2]
    json.dumps(chart)  # what json_script writes
    assert 'data-testid="report-refresh"' not in html  # reps do not refresh


def test_bad_dates_show_field_errors_not_a_500(org: Any) -> None:
    client = client_for(org.manager)
    response = client.get("/reports/?date_from=2026-05-01&date_to=2026-01-01")
    assert response.status_code == 200
    assert 'data-testid="error-date_from"' in response.content.decode()
    response = client.get("/reports/?date_from=garbage&owner=abc")
    assert response.status_code == 200
    assert 'data-testid="error-date_from"' in response.content.decode()


@pytest.mark.parametrize("path", ["/reports/", "/reports/funnel/", "/reports/forecast/"])
def test_pages_render_for_every_sales_role_and_refuse_others(org: Any, path: str) -> None:
    for user in (org.admin, org.manager, org.east_rep):
        assert client_for(user).get(path).status_code == 200
    assert client_for(org.service_agent).get(path).status_code == 403
    assert Client().get(path).status_code == 302


def test_forecast_page_says_not_enough_history(org: Any) -> None:
    html = client_for(org.admin).get("/reports/forecast/").content.decode()
    assert 'data-testid="forecast-not-enough"' in html


def test_admin_refresh_button(org: Any) -> None:
    make_sale(customer=make_customer(org.east_rep), day=timezone.localdate())
    client = client_for(org.admin)
    assert 'data-testid="report-refresh"' in client.get("/reports/").content.decode()
    response = client.post("/reports/refresh/", {"next": "/reports/forecast/"})
    assert response.status_code == 302 and response["Location"] == "/reports/forecast/"
    assert ReportRefresh.objects.get().refreshed_at is not None
    response = client.post("/reports/refresh/", {"next": "https://evil.example/"})
    assert response["Location"] == "/reports/"
    assert client_for(org.manager).post("/reports/refresh/").status_code == 403


def test_trend_page_query_count(org: Any, django_assert_max_num_queries: Any) -> None:
    sales_month_rebuild(actor=None)
    client = client_for(org.manager)
    client.get("/reports/")
    # session + user + filter choices (users, teams) + refresh state + aggregate + live month
    with django_assert_max_num_queries(12):
        assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize(("path", "limit"), [("/reports/funnel/", 14), ("/reports/forecast/", 11)])
def test_funnel_and_forecast_query_counts(
    org: Any, django_assert_max_num_queries: Any, path: str, limit: int
) -> None:
    from guanxi.deals.tests.factories import make_opportunity

    for _ in range(3):
        make_opportunity(actor=org.east_rep)
    sales_month_rebuild(actor=None)
    client = client_for(org.manager)
    client.get(path)
    # session, user, filter choices, refresh state, pipelines + stages, the report's
    # grouped queries (funnel: reached × status, owners; forecast: months, live, pipeline)
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200
