"""Dashboard page and drill-down list: scoping, bad parameters, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.reports.tests.factories import make_customer, make_sale

from .conftest import TODAY, build_shop

pytestmark = pytest.mark.django_db

DASHBOARD = "analytics:dashboard"
CUSTOMERS = "analytics:dashboard_customers"


def kpi_value(response: Any, code: str) -> str:
    marker = f'data-testid="kpi-{code}" data-value="'
    text = response.content.decode()
    start = text.index(marker) + len(marker)
    return text[start : text.index('"', start)]


@pytest.fixture
def shop(org: Any) -> Any:
    return build_shop(org)


def test_views_show_counts_in_the_actors_scope(client, shop) -> None:
    url = reverse(DASHBOARD)
    client.force_login(shop.org.east_rep)
    mine = client.get(
        url,
        {"view": "mine", "preset": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert mine.status_code == 200
    assert kpi_value(mine, "buyers") == "2"
    client.force_login(shop.org.manager)
    team = client.get(
        url,
        {"view": "team", "preset": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert kpi_value(team, "buyers") == "4"
    west = client.get(
        url,
        {
            "view": "team",
            "team": shop.org.west.pk,
            "preset": "custom",
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
        },
    )
    assert kpi_value(west, "buyers") == "1"
    client.force_login(shop.org.admin)
    company = client.get(
        url,
        {"view": "company", "preset": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"},
    )
    assert kpi_value(company, "buyers") == "4"
    assert 'data-testid="chart-grades"' in company.content.decode()
    assert 'data-testid="chart-trend"' in company.content.decode()


def test_dashboard_opens_on_the_view_that_fits_the_actor(client, shop) -> None:
    """Admin (every customer) → company, manager (teams) → team, rep → own; the
    view switch shows the same view, also with only a period asked for."""
    november = {"preset": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
    for user, view, buyers in (
        (shop.org.admin, "company", "4"),
        (shop.org.manager, "team", "4"),
        (shop.org.east_rep, "mine", "2"),
    ):
        client.force_login(user)
        for params in ({}, november):
            response = client.get(reverse(DASHBOARD), params)
            assert response.status_code == 200
            select = response.content.decode().split('name="view"', 1)[1].split("</select>")[0]
            assert f'value="{view}" selected' in select, (user, params)
        assert kpi_value(response, "buyers") == buyers, user


def test_rep_asking_for_the_company_view_is_refused(client, shop) -> None:
    client.force_login(shop.org.east_rep)
    assert client.get(reverse(DASHBOARD), {"view": "company"}).status_code == 403
    assert client.get(reverse(CUSTOMERS), {"view": "company"}).status_code == 403
    # …and the switch does not offer it.
    page = client.get(reverse(DASHBOARD))
    assert 'value="company"' not in page.content.decode()


def test_no_permission_no_dashboard(client, shop) -> None:
    from guanxi.accounts.models import Role

    role = Role.objects.get(code="sales")
    role.permissions = [p for p in role.permissions if p != "analytics.view_scores"]
    role.save(update_fields=["permissions"])
    client.force_login(shop.org.east_rep)
    assert client.get(reverse(DASHBOARD)).status_code == 403


@pytest.mark.parametrize(
    "params, field",
    [
        ({"view": "everyone"}, "view"),
        ({"preset": "forever"}, "preset"),
        ({"preset": "custom", "date_from": "2026-11-30", "date_to": "2026-01-01"}, "date_from"),
        ({"preset": "custom", "date_from": "2026-11-01"}, "date_to"),
        ({"preset": "custom", "date_from": "0001-01-01", "date_to": "2026-01-01"}, "date_from"),
        ({"preset": "custom", "date_from": "not a date", "date_to": "2026-01-01"}, "date_from"),
        ({"team": "abc"}, "team"),
        ({"team": "999999"}, "team"),
    ],
)
def test_bad_parameters_are_field_errors(client, shop, params, field) -> None:
    client.force_login(shop.org.manager)
    response = client.get(reverse(DASHBOARD), params)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert 'data-testid="dashboard-kpis"' not in response.content.decode()


def test_drilldown_lists_the_customers_behind_a_bar(client, shop) -> None:
    client.force_login(shop.org.manager)
    response = client.get(reverse(CUSTOMERS), {"view": "team", "grade": "A"})
    assert response.status_code == 200
    shown = {row.pk for row in response.context["page"].rows}
    assert shown == {shop.customers["c1"].pk, shop.customers["c6"].pk}
    rfm = client.get(reverse(CUSTOMERS), {"view": "team", "r": 5, "f": 4})
    assert {row.pk for row in rfm.context["page"].rows} == shown
    moved = client.get(
        reverse(CUSTOMERS),
        {
            "view": "team",
            "moved_from": "dormant",
            "moved_to": "lost",
            "since": "2026-11-01",
            "until": "2026-11-30",
        },
    )
    assert [row.pk for row in moved.context["page"].rows] == [shop.customers["c4"].pk]
    client.force_login(shop.org.east_rep)
    mine = client.get(reverse(CUSTOMERS), {"view": "mine", "grade": "A"})
    assert [row.pk for row in mine.context["page"].rows] == [shop.customers["c1"].pk]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"grade": "Z"}, "grade"),
        ({"stage": "gone"}, "stage"),
        ({"r": "9"}, "r"),
        ({"f": "x"}, "f"),
        ({"since": "2026-13-01"}, "since"),
    ],
)
def test_drilldown_bad_parameters(client, shop, params, field) -> None:
    client.force_login(shop.org.manager)
    response = client.get(reverse(CUSTOMERS), {"view": "team", **params})
    assert response.status_code == 422
    assert f'data-testid="error-{field}"' in response.content.decode()


def test_drilldown_pages_with_a_keyset(client, org) -> None:
    customers = [make_customer(org.east_rep, grade="B") for _ in range(55)]
    client.force_login(org.east_rep)
    first = client.get(reverse(CUSTOMERS), {"grade": "B"})
    page = first.context["page"]
    assert len(page.rows) == 50 and page.next_after == page.rows[-1].pk
    rest = client.get(
        reverse(CUSTOMERS), {"grade": "B", "after": page.next_after}, headers={"HX-Request": "true"}
    )
    assert len(rest.context["page"].rows) == 5 and rest.context["page"].next_after is None
    assert {c.pk for c in customers} == {c.pk for c in page.rows + rest.context["page"].rows}


def _queries(client: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(DASHBOARD), params)
    assert response.status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_data(client, shop) -> None:
    client.force_login(shop.org.admin)
    params = {"view": "company", "preset": "this_year"}
    _queries(client, params)  # warm caches (permissions, session)
    small = _queries(client, params)
    for index in range(30):
        customer = make_customer(shop.org.west_rep, grade="A")
        make_sale(customer=customer, day=TODAY.replace(day=1 + index % 20), total=10 + index)
    from guanxi.analytics.scoring import scores_compute

    scores_compute(today=TODAY)
    dashboard_tables_refresh(today=TODAY)
    # One fewer when the rescored shop has no churn warning left (no win-back lookup).
    assert _queries(client, params) <= small
    assert small <= 25
