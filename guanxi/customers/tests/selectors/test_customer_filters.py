"""customer_list / contact_list filters: each narrows within the actor's scope, none crashes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers.selectors import ContactFilter, CustomerFilter, contact_list, customer_list
from guanxi.customers.services import custom_field_create
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, TagFactory


@pytest.fixture
def rows(org):
    custom_field_create(
        actor=org.admin, target="customer", key="employees", label="人数", field_type="number"
    )
    custom_field_create(
        actor=org.admin,
        target="customer",
        key="channels",
        label="渠道",
        field_type="multi_choice",
        choices=["线上", "线下"],
    )
    custom_field_create(
        actor=org.admin,
        target="customer",
        key="size",
        label="规模",
        field_type="choice",
        choices=["小", "大"],
    )
    vip = TagFactory(name="VIP")
    return {
        "a": CustomerFactory(
            owner=org.east_rep,
            grade="A",
            source="展会",
            lifecycle_stage="active",
            tags=[vip],
            custom_fields={"employees": 50, "channels": ["线上"], "size": "小"},
        ),
        "b": CustomerFactory(
            owner=org.east_rep2,
            grade="B",
            source="转介绍",
            custom_fields={"employees": 500, "channels": ["线上", "线下"], "size": "大"},
        ),
        "c": CustomerFactory(owner=org.west_rep, grade="A", tags=[vip]),
        "vip": vip,
    }


def labels(qs, rows) -> set[str]:
    pks = set(qs.values_list("pk", flat=True))
    return {label for label in "abc" if rows[label].pk in pks}


def test_filters_narrow_the_list(org, rows):
    today = timezone.localdate()
    cases = [
        (CustomerFilter(), {"a", "b", "c"}),
        (CustomerFilter(owner=org.east_rep.pk), {"a"}),
        (CustomerFilter(team=org.east.pk), {"a", "b"}),
        (CustomerFilter(tag=rows["vip"].pk), {"a", "c"}),
        (CustomerFilter(grade="A"), {"a", "c"}),
        (CustomerFilter(stage="active"), {"a"}),
        (CustomerFilter(source="转介绍"), {"b"}),
        (CustomerFilter(created_from=today, created_to=today), {"a", "b", "c"}),
        (CustomerFilter(created_from=today + dt.timedelta(days=1)), set()),
        (CustomerFilter(updated_to=today - dt.timedelta(days=1)), set()),
        (CustomerFilter(custom={"employees": "500"}), {"b"}),
        (CustomerFilter(custom={"channels": "线下"}), {"b"}),
        (CustomerFilter(custom={"channels": "线上"}), {"a", "b"}),
        (CustomerFilter(custom={"size": "小"}), {"a"}),
        (CustomerFilter(custom={"unknown": "x"}), {"a", "b", "c"}),
        (CustomerFilter(grade="A", tag=rows["vip"].pk, team=org.east.pk), {"a"}),
    ]
    for filters, expected in cases:
        assert labels(customer_list(actor=org.admin, filters=filters), rows) == expected, filters


def test_filters_never_widen_the_scope(org, rows):
    assert labels(customer_list(actor=org.east_rep, filters=CustomerFilter(grade="A")), rows) == {
        "a"
    }
    west = CustomerFilter(owner=org.west_rep.pk)
    assert labels(customer_list(actor=org.east_rep, filters=west), rows) == set()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "many", ""])
def test_odd_numbers_in_a_custom_filter_find_nothing_and_do_not_crash(org, rows, value):
    qs = customer_list(actor=org.admin, filters=CustomerFilter(custom={"employees": value}))
    assert labels(qs, rows) <= {"a", "b", "c"}
    if value:
        assert labels(qs, rows) == set()


def test_a_quote_in_a_multi_choice_filter_is_harmless(org, rows):
    qs = customer_list(actor=org.admin, filters=CustomerFilter(custom={"channels": 'a"'}))
    assert labels(qs, rows) == set()


def test_contact_filters(org, rows):
    mine = ContactFactory(customer=rows["a"])
    theirs = ContactFactory(customer=rows["b"])
    by_customer = contact_list(actor=org.admin, filters=ContactFilter(customer=rows["a"].pk))
    assert list(by_customer) == [mine]
    by_owner = contact_list(actor=org.admin, filters=ContactFilter(owner=org.east_rep2.pk))
    assert list(by_owner) == [theirs]
    leak = contact_list(actor=org.east_rep, filters=ContactFilter(customer=rows["b"].pk))
    assert not leak.exists()
