"""The report builder over the REST API: run, saved-report CRUD, export, schedules."""

from __future__ import annotations

import io
from typing import Any

import pytest

from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db

DEFINITION = {"dimension": "region", "measures": ["revenue", "customers"]}


def test_run_is_scoped(book: Any, api_as: Any) -> None:
    rep = api_as(book.org.east_rep).post("/api/v1/reports/builder/run", DEFINITION)
    assert rep.status_code == 200, rep.content
    body = rep.json()
    assert {row["label"]: row["values"]["revenue"] for row in body["rows"]} == {
        "上海": "2000.00",
        "江苏": "0.00",
    }
    assert body["totals"] == {"revenue": "2000.00", "customers": 3}
    admin = api_as(book.org.admin).post("/api/v1/reports/builder/run", DEFINITION).json()
    assert admin["totals"] == {"revenue": "3100.00", "customers": 5}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dimension": "colour", "measures": ["revenue"]}, "dimension"),
        ({"dimension": "owner", "measures": ["joy"]}, "measures"),
        ({"dimension": "owner", "measures": ["revenue"], "top_n": 0}, "top_n"),
        ({"dimension": "owner", "measures": ["revenue"], "sort": "profit"}, "sort"),
        ({"dimension": "owner", "measures": ["revenue"], "bogus": 1}, "bogus"),
    ],
)
def test_run_refuses_bad_definitions(org: Any, api_as: Any, body: dict, field: str) -> None:
    problem = assert_problem(api_as(org.admin).post("/api/v1/reports/builder/run", body), 422)
    assert any(field in key for key in problem["errors"]), problem


def test_run_without_permission(org: Any, api_as: Any) -> None:
    assert_problem(api_as(org.service_agent).post("/api/v1/reports/builder/run", DEFINITION), 403)


def test_export_answers_the_file(book: Any, api_as: Any) -> None:
    import openpyxl

    response = api_as(book.org.east_rep).post(
        "/api/v1/reports/builder/export", {"definition": DEFINITION, "format": "xlsx"}
    )
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == ["上海", "2000.00", "2"]


def test_saved_report_crud_run_export(book: Any, api_as: Any) -> None:
    owner = api_as(book.org.east_rep)
    created = owner.post(
        "/api/v1/reports/saved", {"name": "各省", "definition": DEFINITION, "is_shared": True}
    )
    assert created.status_code == 201, created.content
    report = created.json()
    url = f"/api/v1/reports/saved/{report['id']}"
    assert created["ETag"] == 'W/"1"'
    assert [r["id"] for r in owner.get("/api/v1/reports/saved").json()] == [report["id"]]
    # a team-mate sees the shared report and runs it in their own scope (east2: 丁 only)
    mate = api_as(book.org.east_rep2)
    assert mate.get(url).json()["is_mine"] is False
    run = mate.post(f"{url}/run").json()
    assert run["totals"] == {"revenue": "400.00", "customers": 1}
    assert_problem(mate.patch(url, {"name": "mine now"}), 403)
    assert_problem(api_as(book.org.west_rep).get(url), 404)
    # rename with a stale version -> 409, with the current one -> 200
    assert_problem(owner.patch(url, {"name": "x"}, **{"If-Match": 'W/"9"'}), 409)
    renamed = owner.patch(url, {"name": "省份销售"}, **{"If-Match": 'W/"1"'})
    assert renamed.status_code == 200 and renamed.json()["name"] == "省份销售"
    export = owner.get(f"{url}/export?format=csv")
    assert export.status_code == 200
    assert "上海,2000.00,2" in export.content.decode("utf-8")
    assert owner.delete(url).status_code == 204
    assert_problem(owner.get(url), 404)


def test_schedules(book: Any, api_as: Any) -> None:
    org = book.org
    org.east_rep.email = "east1@example.com"
    org.east_rep.save(update_fields=["email"])
    owner = api_as(org.east_rep)
    report = owner.post("/api/v1/reports/saved", {"name": "周报", "definition": DEFINITION}).json()
    base = f"/api/v1/reports/saved/{report['id']}/schedules"
    created = owner.post(base, {"frequency": "monthly", "day_of_month": 31,
                                "recipients": [org.east_rep.pk], "format": "pdf"})  # fmt: skip
    assert created.status_code == 201, created.content
    schedule = created.json()
    assert schedule["recipients"] == [org.east_rep.pk]
    problem = assert_problem(owner.post(base, {"recipients": [org.west_rep.pk]}), 422)
    assert "recipients" in problem["errors"]
    assert [s["id"] for s in owner.get(base).json()] == [schedule["id"]]
    url = f"/api/v1/reports/schedules/{schedule['id']}"
    patched = owner.patch(url, {"is_active": False, "version": 1})
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    assert_problem(api_as(org.east_rep2).patch(url, {"is_active": True}), 404)
    assert owner.delete(url).status_code == 204
    assert owner.get(base).json() == []
