"""Products and orders over the API: CRUD, If-Match, problem+json, scoping, query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.testing.api_client import assert_problem
from guanxi.sales.models import Order
from guanxi.sales.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def test_product_round_trip(org: Any, api_as: Any) -> None:
    api = api_as(org.manager)
    created = api.post(
        "/api/v1/products",
        {"sku": "tea-01", "name": "龙井茶", "unit": "盒", "list_price": "288.00", "cost": 120},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sku"] == "TEA-01"
    assert Decimal(body["list_price"]) == Decimal("288.00")
    product_id = body["id"]
    etag = created["ETag"]

    listed = api.get("/api/v1/products?q=龙井")
    assert [item["id"] for item in listed.json()["items"]] == [product_id]

    patched = api.patch(
        f"/api/v1/products/{product_id}", {"list_price": "300"}, **{"If-Match": etag}
    )
    assert patched.status_code == 200, patched.content
    stale = api.patch(f"/api/v1/products/{product_id}", {"name": "x"}, **{"If-Match": etag})
    assert_problem(stale, 409)

    duplicate = api.post("/api/v1/products", {"sku": "TEA-01", "name": "again"})
    assert "sku" in assert_problem(duplicate, 422)["errors"]

    assert api.delete(f"/api/v1/products/{product_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/products/{product_id}"), 404)
    restored = api.post(f"/api/v1/products/{product_id}/restore")
    assert restored.status_code == 200, restored.content

    rep = api_as(org.east_rep)
    assert rep.get(f"/api/v1/products/{product_id}").status_code == 200
    assert_problem(rep.post("/api/v1/products", {"sku": "X", "name": "x"}), 403)


def test_order_round_trip(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    first = make_product(list_price=Decimal("10.00"), cost=Decimal("4.00"))
    second = make_product(list_price=Decimal("99.90"), cost=Decimal("50.00"))
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/orders",
        {
            "customer": customer.pk,
            "order_date": "2026-03-01",
            "lines": [
                {"product": first.pk, "quantity": 3},
                {"product": second.pk, "quantity": "1", "discount_percent": "10"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert Decimal(body["total"]) == Decimal("119.91")  # 30 + 89.91
    assert Decimal(body["profit"]) == Decimal("57.91")  # − (3 × 4 + 50)
    assert body["owner"] == org.east_rep.pk
    assert [line["product"] for line in body["lines"]] == [first.pk, second.pk]
    order_id = body["id"]

    got = api.get(f"/api/v1/orders/{order_id}")
    assert got["ETag"] == 'W/"1"'
    patched = api.patch(
        f"/api/v1/orders/{order_id}",
        {"status": "completed", "lines": [{"product": first.pk, "quantity": 1}]},
        **{"If-Match": got["ETag"]},
    )
    assert patched.status_code == 200, patched.content
    assert Decimal(patched.json()["total"]) == Decimal("10.00")
    assert patched["ETag"] == 'W/"2"'
    stale = api.patch(f"/api/v1/orders/{order_id}", {"notes": "late"}, **{"If-Match": 'W/"1"'})
    assert assert_problem(stale, 409)["current_version"] == 2

    listed = api.get(f"/api/v1/orders?customer={customer.pk}&status=completed")
    assert [item["id"] for item in listed.json()["items"]] == [order_id]
    assert api.get("/api/v1/orders?status=draft").json()["items"] == []

    assert api.delete(f"/api/v1/orders/{order_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/orders/{order_id}"), 404)
    assert api.post(f"/api/v1/orders/{order_id}/restore").status_code == 200


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ({"quantity": -2}, "lines.0.quantity"),
        ({"discount_percent": 150}, "lines.0.discount_percent"),
        ({"product": 987654}, "lines.0.product"),
    ],
)
def test_order_bad_input_is_problem_json_and_writes_nothing(
    org: Any, api_as: Any, line: dict[str, Any], key: str
) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    product = make_product()
    response = api_as(org.east_rep).post(
        "/api/v1/orders",
        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": 1, **line}]},
    )
    assert key in assert_problem(response, 422)["errors"]
    assert not Order.objects.exists()


def test_order_empty_and_garbage(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    api = api_as(org.east_rep)
    assert (
        "lines"
        in assert_problem(api.post("/api/v1/orders", {"customer": customer.pk, "lines": []}), 422)[
            "errors"
        ]
    )
    assert_problem(api.post("/api/v1/orders", {"customer": customer.pk, "lines": [], "x": 1}), 422)
    assert_problem(api.get("/api/v1/orders?date_from=2026-13-01"), 422)
    assert_problem(api.get("/api/v1/orders/99999999999999999999"), 422)
    assert not Order.objects.exists()


def test_orders_are_scoped_like_customers(org: Any, api_as: Any) -> None:
    east = make_order(customer=CustomerFactory(owner=org.east_rep))
    west = make_order(customer=CustomerFactory(owner=org.west_rep))
    rep = api_as(org.east_rep)
    assert {item["id"] for item in rep.get("/api/v1/orders").json()["items"]} == {east.pk}
    assert_problem(rep.get(f"/api/v1/orders/{west.pk}"), 404)
    assert_problem(rep.patch(f"/api/v1/orders/{west.pk}", {"notes": "x"}), 404)
    assert_problem(rep.delete(f"/api/v1/orders/{west.pk}"), 404)
    manager_ids = {item["id"] for item in api_as(org.manager).get("/api/v1/orders").json()["items"]}
    assert manager_ids == {east.pk, west.pk}


def test_order_list_query_count_does_not_grow(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    product = make_product()
    api = api_as(org.manager)

    def count_queries() -> int:
        api.get("/api/v1/orders")
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/orders?limit=50")
        assert response.status_code == 200
        return len(queries)

    make_order(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    few = count_queries()
    for _ in range(10):
        make_order(
            customer=customer,
            lines=[{"product": product.pk, "quantity": 1}, {"product": product.pk, "quantity": 2}],
        )
    assert count_queries() == few
