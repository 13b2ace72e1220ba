"""Every dimension × measure on the hand-built book (conftest.book), scoping, top N."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.reports.builder.definition import MEASURES, definition_parse
from guanxi.reports.builder.query import OTHER, report_run

ALL = list(MEASURES)
D = Decimal


def run(actor: Any, **data: Any) -> Any:
    data.setdefault("measures", ALL)
    return report_run(actor=actor, definition=definition_parse(data))


def by_label(result: Any) -> dict[str, dict[str, Any]]:
    return {row.label: row.values for row in result.rows}


def by_key(result: Any) -> dict[Any, dict[str, Any]]:
    return {row.key: row.values for row in result.rows}


pytestmark = pytest.mark.django_db


def test_owner_all_measures(book: Any) -> None:
    org = book.org
    rows = by_key(run(org.admin, dimension="owner"))
    assert rows[org.east_rep.pk] == {
        "customers": 3,
        "orders": 3,  # 甲 ×2, 乙 ×1 (the cancelled one does not count)
        "revenue": D("2000.00"),
        "profit": D("950.00"),  # 甲 550 + 200, 乙 200
        "clv_total": D("1500.00"),
        "clv_average": D("750.00"),  # 丙 has no score: the average of 甲 and 乙
        "at_risk": 1,
        "value_at_risk": D("300.00"),
    }
    assert rows[org.east_rep2.pk]["revenue"] == D("400.00")
    assert rows[org.east_rep2.pk]["at_risk"] == 1
    assert rows[org.west_rep.pk]["value_at_risk"] == D("80.00")


def test_totals_and_default_sort(book: Any) -> None:
    result = run(book.org.admin, dimension="owner", measures=["revenue", "customers"])
    assert [row.values["revenue"] for row in result.rows] == [
        D("2000.00"),
        D("700.00"),
        D("400.00"),
    ]
    assert result.totals == {"revenue": D("3100.00"), "customers": 5}


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("region", {"上海": (2, D("2000.00")), "江苏": (1, D("0.00")), "浙江": (1, D("400.00")),
                    "四川": (1, D("700.00"))}),
        ("industry", {"制造": (2, D("2100.00")), "零售": (2, D("1000.00")), None: (1, D("0.00"))}),
        ("source", {"展会": (3, D("2400.00")), "官网": (2, D("700.00"))}),
        ("grade", {"A": (2, D("2100.00")), "B": (1, D("300.00")), "C": (1, D("700.00")),
                   None: (1, D("0.00"))}),
        ("stage", {"active": (2, D("2100.00")), "loyal": (1, D("300.00")),
                   "dormant": (1, D("700.00")), "prospect": (1, D("0.00"))}),
    ],
)  # fmt: skip
def test_customer_attribute_dimensions(book: Any, dimension: str, expected: dict) -> None:
    rows = by_key(run(book.org.admin, dimension=dimension, measures=["customers", "revenue"]))
    assert {k: (v["customers"], v["revenue"]) for k, v in rows.items()} == expected


def test_team_dimension(book: Any) -> None:
    org = book.org
    rows = by_key(run(org.admin, dimension="team", measures=["customers", "revenue", "at_risk"]))
    assert rows[org.east.pk] == {"customers": 4, "revenue": D("2400.00"), "at_risk": 2}
    assert rows[org.west.pk] == {"customers": 1, "revenue": D("700.00"), "at_risk": 1}


def test_tag_counts_a_customer_once_per_tag(book: Any) -> None:
    result = run(book.org.admin, dimension="tag", measures=["customers", "revenue", "clv_total"])
    rows = by_label(result)
    assert rows["VIP"] == {"customers": 2, "revenue": D("2000.00"), "clv_total": D("1500.00")}
    assert rows["热门"] == {"customers": 2, "revenue": D("2100.00"), "clv_total": D("1200.00")}
    assert by_key(result)[None]["customers"] == 2  # 丙 and 戊 have no tag
    assert result.counts_twice


def test_product_dimension(book: Any) -> None:
    tea, cup = book.products["tea"], book.products["cup"]
    rows = by_key(run(book.org.admin, dimension="product"))
    assert rows[tea.pk]["revenue"] == D("2600.00")  # 1000 + 500 + 400 + 700
    assert rows[tea.pk]["profit"] == D("950.00")  # 400 + 200 + 150 + 200
    assert rows[tea.pk]["orders"] == 4
    assert rows[tea.pk]["customers"] == 3  # 甲 once although two tea orders
    assert rows[tea.pk]["clv_total"] == D("1300.00")
    assert rows[tea.pk]["at_risk"] == 2 and rows[tea.pk]["value_at_risk"] == D("130.00")
    assert rows[cup.pk] == {
        "customers": 2, "orders": 2, "revenue": D("500.00"), "profit": D("350.00"),
        "clv_total": D("1500.00"), "clv_average": D("750.00"), "at_risk": 1,
        "value_at_risk": D("300.00"),
    }  # fmt: skip


def test_month_dimension(book: Any) -> None:
    result = run(
        book.org.admin,
        dimension="month",
        measures=["revenue", "orders", "customers"],
        date_from=book.earlier.isoformat(),
        date_to=book.month.isoformat(),
        sort="revenue",
        top_n=1,
    )
    assert [row.key for row in result.rows] == [book.earlier, book.month]  # chronological
    rows = by_key(result)
    assert rows[book.earlier]["revenue"] == D("500.00")
    assert rows[book.month] == {"revenue": D("2600.00"), "orders": 4, "customers": 0}
    assert result.rows[1].url.startswith("/sales/orders/")


def test_period_leaves_older_orders_out(book: Any) -> None:
    result = run(book.org.admin, dimension="owner", measures=["revenue"],
                 date_from=book.month.isoformat(), date_to=book.month.isoformat())  # fmt: skip
    assert by_key(result)[book.org.east_rep.pk]["revenue"] == D("1500.00")


def test_top_n_sums_the_rest_as_other(book: Any) -> None:
    result = run(book.org.admin, dimension="region", measures=["revenue", "customers"], top_n=2)
    assert [row.label for row in result.rows[:2]] == ["上海", "四川"]
    other = result.rows[2]
    assert other.key == OTHER and other.values == {"revenue": D("400.00"), "customers": 2}
    assert result.group_count == 4


def test_sort_by_label_ascending(book: Any) -> None:
    result = run(book.org.admin, dimension="grade", measures=["customers"], sort="label",
                 descending="false")  # fmt: skip
    labels = [row.label for row in result.rows]
    assert labels == sorted(labels)
    assert {row.key for row in result.rows} == {None, "A", "B", "C"}


def test_filters_grade_and_stage(book: Any) -> None:
    rows = by_key(run(book.org.admin, dimension="source", measures=["customers"], grade="A"))
    assert rows == {"展会": {"customers": 1}, "官网": {"customers": 1}}
    rows = by_key(run(book.org.admin, dimension="source", measures=["customers"], stage="loyal"))
    assert rows == {"官网": {"customers": 1}}


def test_drill_down_links(book: Any) -> None:
    result = run(book.org.admin, dimension="grade", measures=["customers"], stage="active")
    urls = {row.key: row.url for row in result.rows}
    assert urls["A"] == "/customers/?stage=active&grade=A"
    region = run(book.org.admin, dimension="region", measures=["customers"])
    assert all(row.url == "" for row in region.rows)


# --- scoping -------------------------------------------------------------------------
def test_rep_sees_only_own_customers(book: Any) -> None:
    org = book.org
    result = run(org.east_rep, dimension="owner")
    assert list(by_key(result)) == [org.east_rep.pk]
    result = run(org.east_rep, dimension="product", measures=["revenue", "customers"])
    assert by_key(result)[book.products["tea"].pk] == {"revenue": D("1500.00"), "customers": 1}
    assert run(org.east_rep, dimension="region", measures=["customers"]).totals == {"customers": 3}


def test_manager_sees_the_sales_department(book: Any) -> None:
    result = run(book.org.manager, dimension="owner", measures=["revenue"])
    assert result.totals == {"revenue": D("3100.00")}


def test_owner_filter_outside_scope_is_a_field_error(book: Any) -> None:
    with pytest.raises(ValidationError) as error:
        run(book.org.east_rep, dimension="owner", owner=book.org.west_rep.pk)
    assert "owner" in error.value.field_errors


def test_service_agent_without_report_permission(book: Any) -> None:
    with pytest.raises(PermissionDenied):
        run(book.org.service_agent, dimension="owner")


# --- bad definitions -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dimension": "colour", "measures": ["revenue"]}, "dimension"),
        ({"dimension": "owner", "measures": []}, "measures"),
        ({"dimension": "owner", "measures": ["revenue", "happiness"]}, "measures"),
        ({"dimension": "owner", "measures": ["revenue"], "sort": "profit"}, "sort"),
        ({"dimension": "owner", "measures": ["revenue"], "top_n": 0}, "top_n"),
        ({"dimension": "owner", "measures": ["revenue"], "top_n": "x"}, "top_n"),
        ({"dimension": "owner", "measures": ["revenue"], "date_from": "2026-13-01"}, "date_from"),
        ({"dimension": "owner", "measures": ["revenue"], "grade": "Z"}, "grade"),
        ({"dimension": "owner", "measures": ["revenue"], "stage": "happy"}, "stage"),
        ({"dimension": "owner", "measures": ["revenue"], "owner": "abc"}, "owner"),
        ({"dimension": "owner", "measures": ["revenue"], "descending": "maybe"}, "descending"),
    ],
)
def test_bad_definitions(data: dict, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        definition_parse(data)
    assert field in error.value.field_errors


def test_reversed_period_is_a_field_error(book: Any) -> None:
    with pytest.raises(ValidationError) as error:
        run(book.org.admin, dimension="owner", date_from="2026-06-01", date_to="2026-01-01")
    assert "date_from" in error.value.field_errors
