"""KPI formulas on the hand-built shop (conftest), comparisons and scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from guanxi.analytics.dashboards.selectors import (
    kpi_report,
    resolve_period,
    resolve_scope,
)
from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.models import CustomerSnapshot, KpiPeriod, ScoreCell, StageFlowMonth

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def kpis(actor: Any, view: str, preset: str = "this_month", **extra: Any) -> dict[str, Any]:
    scope = resolve_scope(actor=actor, view=view, team_id=extra.pop("team_id", None))
    period = resolve_period(preset=preset, today=TODAY, **extra)
    report = kpi_report(scope=scope, period=period, today=TODAY)
    return {"report": report, **{kpi.code: kpi for kpi in report.kpis}}


def test_company_kpis_of_the_month(shop) -> None:
    found = kpis(shop.org.admin, "company")
    assert found["buyers"].value == 4
    assert found["new_customers"].value == 1
    assert found["retention_rate"].value == pytest.approx(2 / 3)
    assert found["repeat_rate"].value == pytest.approx(1 / 4)
    assert found["orders"].value == 6
    assert found["revenue"].value == Decimal("1650.00")
    assert found["average_order_value"].value == Decimal("275.00")
    assert found["revenue_per_customer"].value == Decimal("412.50")
    assert found["profit_per_customer"].value == Decimal("41.25")
    assert found["churned"].value == 1
    # Base: new/active/loyal/dormant at the end of October = c1, c2, c4, c6.
    assert found["churn_rate"].value == pytest.approx(1 / 4)
    # CLV of the November snapshot: (3000 + 800 + 50 + 5000) / 4.
    assert found["average_clv"].value == Decimal("2212.50")
    assert found["csat"].is_available is False and found["nps"].value is None


def test_comparisons_previous_period_and_last_year(shop) -> None:
    found = kpis(shop.org.admin, "company")
    assert found["buyers"].previous == 3  # October
    assert found["buyers"].last_year == 1  # November 2025: c2
    assert found["new_customers"].last_year == 1
    assert found["revenue"].previous == Decimal("680.00")
    assert found["revenue"].vs_previous == pytest.approx(round((1650 - 680) / 680 * 100, 1))
    assert found["revenue"].last_year == Decimal("50.00")
    # October's retention: nobody bought in September, so there is no rate.
    assert found["retention_rate"].previous is None
    report = found["report"]
    assert report.by_stage["lost"] == (1, 0, None)  # no snapshot of November 2025
    assert report.by_grade["A"] == (2, 2, None)


def test_quarter_year_and_last_12_months(shop) -> None:
    quarter = kpis(shop.org.admin, "company", "this_quarter")
    assert quarter["report"].period.start == dt.date(2026, 10, 1)
    assert quarter["buyers"].value == 5  # c1, c2, c3, c4, c6
    assert quarter["repeat_rate"].value == pytest.approx(2 / 5)  # c1 and c6
    year = kpis(shop.org.admin, "company", "this_year")
    assert year["buyers"].value == 5 and year["buyers"].previous == 1
    assert year["retention_rate"].value == pytest.approx(1.0)  # c2 bought in 2025 and 2026
    trailing = kpis(shop.org.admin, "company", "last_12_months")
    assert trailing["report"].period.start == dt.date(2025, 12, 1)
    assert trailing["buyers"].value == 5 and trailing["buyers"].previous == 1


def test_custom_ranges_map_onto_stored_periods(shop) -> None:
    october = kpis(
        shop.org.admin,
        "company",
        "custom",
        date_from=dt.date(2026, 10, 3),
        date_to=dt.date(2026, 10, 30),
    )
    assert october["report"].period.kind == "month" and october["buyers"].value == 3
    quarter = resolve_period(
        preset="custom", date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 12, 31)
    )
    assert (quarter.kind, quarter.first) == ("quarter", 2026 * 4 + 3)
    run = kpis(
        shop.org.admin,
        "company",
        "custom",
        date_from=dt.date(2026, 9, 1),
        date_to=dt.date(2026, 11, 30),
    )
    assert run["report"].period.kind == "months"
    assert run["revenue"].value == Decimal("2330.00")
    assert run["new_customers"].value == 4  # c1, c4, c6 in October, c3 in November
    assert run["buyers"].value is None and run["retention_rate"].value is None
    assert run["report"].notes


def test_scoping_rep_manager_admin(shop) -> None:
    east = kpis(shop.org.east_rep, "mine")
    assert east["buyers"].value == 2  # c1, c2 (c3 belongs to east2)
    assert east["revenue"].value == Decimal("650.00")
    assert east["retention_rate"].value == pytest.approx(1 / 2)  # Oct: c1, c4
    # A rep's "team" view is still their own scope ("own" data scope).
    assert kpis(shop.org.east_rep, "team")["buyers"].value == 2
    manager = kpis(shop.org.manager, "team")
    assert manager["buyers"].value == 4
    east_team = kpis(shop.org.manager, "team", team_id=shop.org.east.pk)
    assert east_team["buyers"].value == 3
    assert kpis(shop.org.manager, "mine")["buyers"].value == 0


def test_company_view_is_refused_without_the_all_scope(shop) -> None:
    from guanxi.platform.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        resolve_scope(actor=shop.org.east_rep, view="company", team_id=None)
    with pytest.raises(PermissionDenied):
        resolve_scope(actor=shop.org.manager, view="company", team_id=None)
    with pytest.raises(ValidationError) as failure:
        resolve_scope(actor=shop.org.east_rep, view="team", team_id=shop.org.west.pk)
    assert "team" in failure.value.field_errors


def test_refresh_is_idempotent(shop) -> None:
    def state() -> list[Any]:
        return [
            sorted(model.objects.values_list(*columns))
            for model, columns in (
                (KpiPeriod, ("kind", "period", "scope_owner_id", "buyers", "revenue", "churned")),
                (CustomerSnapshot, ("month", "scope_owner_id", "grade", "stage", "customers")),
                (
                    ScoreCell,
                    ("scope_owner_id", "grade", "stage", "r_score", "f_score", "customers"),
                ),
                (StageFlowMonth, ("month", "from_stage", "to_stage", "changes")),
            )
        ]

    before = state()
    dashboard_tables_refresh(today=TODAY)
    assert state() == before
    assert CustomerSnapshot.objects.values("month").distinct().count() == 2
