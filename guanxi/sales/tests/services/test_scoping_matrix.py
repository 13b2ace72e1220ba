"""Who sees which orders: the customer's scope decides (rep own, manager subtree, all)."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers import services as customer_services
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import NotFound
from guanxi.platform.selectors import recycle_bin_list
from guanxi.sales import selectors, services
from guanxi.sales.tests.factories import make_order

pytestmark = pytest.mark.django_db

EXPECTED = {
    "admin": {"east1", "east2", "west", "hq"},
    "manager": {"east1", "east2", "west"},
    "east_rep": {"east1"},
    "east_rep2": {"east2"},
    "west_rep": {"west"},
    "service_agent": {"east1", "east2", "west", "hq"},
}
WRITERS = {"admin", "manager", "east_rep", "east_rep2", "west_rep"}


@pytest.fixture
def orders(org: Any) -> dict[str, Any]:
    owners = {
        "east1": org.east_rep,
        "east2": org.east_rep2,
        "west": org.west_rep,
        "hq": org.admin,
    }
    return {key: make_order(customer=CustomerFactory(owner=owner)) for key, owner in owners.items()}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_view_change_delete_matrix(org: Any, orders: dict[str, Any], role: str) -> None:
    actor = getattr(org, role)
    names = {order.pk: key for key, order in orders.items()}
    visible = {names[o.pk] for o in selectors.order_list(actor=actor)}
    assert visible == EXPECTED[role]
    for key, order in orders.items():
        if key not in EXPECTED[role]:
            with pytest.raises(NotFound):
                selectors.order_get(actor=actor, order_id=order.pk)
        changeable = {names[o.pk] for o in selectors.order_list(actor=actor, action="change")}
        assert changeable == (EXPECTED[role] if role in WRITERS else set())
    for key in EXPECTED[role] - ({"hq"} if role != "admin" else set()):
        if role not in WRITERS:
            continue
        services.order_update(
            actor=actor, order=orders[key], expected_version=None, notes=f"by {role}"
        )


def test_deleted_customer_hides_its_orders_and_recycle_bin_is_scoped(
    org: Any, orders: dict[str, Any]
) -> None:
    services.order_delete(actor=org.east_rep, order=orders["east1"])
    bin_for_rep = {
        row.pk
        for _entry, rows in recycle_bin_list(actor=org.east_rep, type_key="sales.order")
        for row in rows
    }
    assert bin_for_rep == {orders["east1"].pk}
    bin_for_west = [
        row
        for _e, rows in recycle_bin_list(actor=org.west_rep, type_key="sales.order")
        for row in rows
    ]
    assert bin_for_west == []
    customer_services.customer_delete(actor=org.east_rep2, customer=orders["east2"].customer)
    assert {o.pk for o in selectors.order_list(actor=org.admin)} == {
        orders["west"].pk,
        orders["hq"].pk,
    }


def test_merge_moves_orders_to_the_survivor_and_undo_moves_them_back(
    org: Any, orders: dict[str, Any]
) -> None:
    survivor = CustomerFactory(owner=org.east_rep, name="合并后")
    other = orders["east1"].customer
    merge = customer_services.customer_merge(
        actor=org.admin, survivor=survivor, other=other, field_choices={}
    )
    moved = orders["east1"]
    moved.refresh_from_db()
    assert moved.customer_id == survivor.pk
    customer_services.customer_merge_undo(actor=org.admin, merge=merge)
    moved.refresh_from_db()
    assert moved.customer_id == other.pk
