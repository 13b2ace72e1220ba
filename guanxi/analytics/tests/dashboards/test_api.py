"""KPI, dashboard and drill-down API: same scoping as the pages, problem+json errors."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.platform.testing.api_client import assert_problem

from .conftest import build_shop

pytestmark = pytest.mark.django_db

NOVEMBER = "preset=custom&from=2026-11-01&to=2026-11-30"


@pytest.fixture
def shop(org: Any) -> Any:
    return build_shop(org)


def kpi(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(item for item in body["kpis"] if item["code"] == code)


def test_kpis_per_view(shop, api_as) -> None:
    admin = api_as(shop.org.admin)
    response = admin.get(f"/api/v1/analytics/kpis?view=company&{NOVEMBER}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"kind": "month", "start": "2026-11-01", "end": "2026-11-30"}
    assert kpi(body, "buyers")["value"] == 4
    assert kpi(body, "buyers")["previous"] == 3
    assert kpi(body, "retention_rate")["value"] == pytest.approx(2 / 3)
    assert float(kpi(body, "average_order_value")["value"]) == 275.0
    assert kpi(body, "nps")["is_available"] is False
    assert body["customers_by_grade"]["A"] == [2, 2, None]
    rep = api_as(shop.org.east_rep).get(f"/api/v1/analytics/kpis?view=mine&{NOVEMBER}")
    assert kpi(rep.json(), "buyers")["value"] == 2


def test_dashboard_chart_data_in_scope(shop, api_as) -> None:
    manager = api_as(shop.org.manager)
    response = manager.get(f"/api/v1/analytics/dashboards/team?{NOVEMBER}")
    assert response.status_code == 200, response.content
    body = response.json()
    grades = {row["key"]: row["customers"] for row in body["grades"]}
    assert grades == {"A": 2, "B": 2, "C": 1, "D": 1, "none": 0}
    cell = next(row for row in body["rfm"] if (row["r"], row["f"]) == (5, 4))
    assert cell["customers"] == 2 and "r=5" in cell["url"]
    assert body["churn_warnings"] == 1
    assert [row["customer"] for row in body["churn_risks"]] == [shop.customers["c4"].pk]
    assert {row["from_stage"] + ">" + row["to_stage"] for row in body["flow"]} == {
        "dormant>lost",
        "prospect>new",
    }
    assert [row["customer"] for row in body["top_customers"]][:2] == [
        shop.customers["c6"].pk,
        shop.customers["c1"].pk,
    ]
    assert len(body["sales_trend"]) == 1
    rep = api_as(shop.org.west_rep).get(f"/api/v1/analytics/dashboards/team?{NOVEMBER}")
    grades = {row["key"]: row["customers"] for row in rep.json()["grades"]}
    assert grades == {"A": 1, "B": 0, "C": 0, "D": 1, "none": 0}


def test_drilldown_list(shop, api_as) -> None:
    manager = api_as(shop.org.manager)
    body = manager.get("/api/v1/analytics/customers?view=team&grade=A").json()
    assert {row["id"] for row in body["items"]} == {
        shop.customers["c1"].pk,
        shop.customers["c6"].pk,
    }
    assert body["next_after"] is None
    page = manager.get("/api/v1/analytics/customers?view=team&limit=2").json()
    assert len(page["items"]) == 2 and page["next_after"]
    rest = manager.get(f"/api/v1/analytics/customers?view=team&after={page['next_after']}")
    assert len(rest.json()["items"]) == 4
    east = api_as(shop.org.east_rep).get("/api/v1/analytics/customers?grade=A").json()
    assert [row["id"] for row in east["items"]] == [shop.customers["c1"].pk]


@pytest.mark.parametrize(
    "path, status, field",
    [
        ("/api/v1/analytics/kpis?view=everyone", 422, "view"),
        ("/api/v1/analytics/kpis?preset=forever", 422, "preset"),
        ("/api/v1/analytics/kpis?preset=custom&from=2026-11-30&to=2026-01-01", 422, "date_from"),
        ("/api/v1/analytics/kpis?preset=custom&from=2026-11-01", 422, "date_to"),
        ("/api/v1/analytics/kpis?from=yesterday", 422, "from"),
        ("/api/v1/analytics/kpis?team=999999", 422, "team"),
        ("/api/v1/analytics/dashboards/nobody", 422, "view"),
        ("/api/v1/analytics/customers?grade=Z", 422, "grade"),
        ("/api/v1/analytics/customers?r=0", 422, "r"),
        ("/api/v1/analytics/customers?limit=5000", 422, "limit"),
        ("/api/v1/analytics/customers?after=x", 422, "after"),
    ],
)
def test_bad_parameters(shop, api_as, path, status, field) -> None:
    body = assert_problem(api_as(shop.org.manager).get(path), status)
    assert field in body["errors"], body


def test_company_refused_for_reps_and_anonymous(shop, api_as) -> None:
    rep = api_as(shop.org.east_rep)
    assert_problem(rep.get("/api/v1/analytics/kpis?view=company"), 403)
    assert_problem(rep.get("/api/v1/analytics/dashboards/company"), 403)
    assert_problem(rep.get("/api/v1/analytics/customers?view=company"), 403)
    assert api_as(None).get("/api/v1/analytics/kpis").status_code == 401
