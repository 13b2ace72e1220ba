"""Keyset pagination: every row exactly once in every customer ordering; bad cursors ignored."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.customers.models import Customer
from guanxi.customers.selectors import CUSTOMER_SORTS, customer_list
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.pagination import decode_cursor, encode_cursor, keyset_page

# Few distinct values per column, so every ordering has long runs of ties.
NAMES = ["张三", "李四", "王五", "欧阳锋", "Apple", "apple", "赵六"]
GRADES = ["", "A", "B"]
CITIES = ["", "上海", "北京"]


@pytest.fixture
def customers(org):
    for index in range(23):
        CustomerFactory(
            owner=org.east_rep if index % 3 else org.west_rep,
            name=NAMES[index % len(NAMES)],
            grade=GRADES[index % 3],
            city=CITIES[index % 2],
            industry=["制造", "零售"][index % 2],
            source=["展会", "", "转介绍"][index % 3],
            lifecycle_stage=["prospect", "active"][index % 2],
        )
    return Customer.objects.all()


def walk(qs, ordering, size):
    """All pages, following next_cursor; returns the ids in page order."""
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, ordering=ordering, cursor=cursor, size=size)
        seen.extend(item.pk for item in page.items)
        pages += 1
        assert pages < 100, "pagination does not terminate"
        if not page.has_next:
            assert page.next_cursor is None
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [1, 4, 50])
def test_walking_all_pages_returns_every_row_once_in_order(customers, org, size):
    for sort, ordering in CUSTOMER_SORTS.items():
        for actor in [org.admin, org.east_rep]:
            qs = customer_list(actor=actor)
            expected = list(qs.order_by(*ordering).values_list("pk", flat=True))
            assert walk(qs, ordering, size) == expected, (sort, actor)
            assert len(expected) == len(set(expected)) > 0


def test_a_page_never_leaves_the_actors_scope(customers, org):
    own = set(customer_list(actor=org.east_rep).values_list("pk", flat=True))
    # A cursor crafted from another rep's row only positions the walk; it adds nothing.
    theirs = Customer.objects.filter(owner=org.west_rep).order_by("id").first()
    cursor = encode_cursor([theirs.pk])
    page = keyset_page(customer_list(actor=org.east_rep), ordering=["id"], cursor=cursor, size=100)
    assert {c.pk for c in page.items} <= own


def _b64(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


MALFORMED = [
    "",
    "!!!",
    "%%%",
    "a",
    "abcd",
    "🙂",
    _b64("not json"),
    _b64("{}"),
    _b64("1"),
    _b64("[]"),
    _b64("[1, 2, 3]"),
    _b64("[null, 1]"),
    _b64('[{"dt": "yesterday"}, 1]'),
    _b64('[{"x": 1}, 1]'),
    _b64("[[1], 1]"),
    _b64('["2026-01-01T00:00:00+00:00", "one"]'),
    _b64("[1, 99999999999999999999999999]"),
    _b64('[true, {"dec": "NaN"}]'),
]


def test_malformed_cursors_give_the_first_page(customers, org):
    qs = customer_list(actor=org.admin)
    for sort in ["-created", "name", "grade", "-id"]:
        ordering = CUSTOMER_SORTS[sort]
        first = [c.pk for c in keyset_page(qs, ordering=ordering, cursor=None, size=5).items]
        for cursor in MALFORMED:
            page = keyset_page(qs, ordering=ordering, cursor=cursor, size=5)
            assert [c.pk for c in page.items] == first, (sort, cursor)


@settings(max_examples=300)
@given(st.text())
def test_decode_cursor_never_raises(text):
    values = decode_cursor(text, 2)
    assert values is None or len(values) == 2


@settings(max_examples=200)
@given(
    st.lists(
        st.one_of(
            st.integers(), st.text(), st.datetimes(), st.dates(), st.decimals(allow_nan=False)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_cursor_round_trip(values):
    assert decode_cursor(encode_cursor(values), len(values)) == values
