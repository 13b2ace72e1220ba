"""Order and product services: totals, profit, validation garbage, versions, audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.sales import services
from guanxi.sales.models import Order, OrderLine, PriceList, Product
from guanxi.sales.services._lines import (
    DISCOUNT_RANGE,
    INACTIVE_PRODUCT,
    NO_LINES,
    QUANTITY_POSITIVE,
    UNKNOWN_PRODUCT,
)
from guanxi.sales.services.products import SKU_TAKEN
from guanxi.sales.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org: Any) -> Any:
    return CustomerFactory(owner=org.east_rep, name="上海明远贸易")


def test_totals_discount_cost_and_profit(org: Any, customer: Any) -> None:
    widget = make_product(list_price=Decimal("100.00"), cost=Decimal("60.00"))
    box = make_product(list_price=Decimal("19.99"), cost=Decimal("5.50"), unit="箱")
    order = services.order_create(
        actor=org.east_rep,
        customer=customer,
        lines=[
            {"product": widget.pk, "quantity": "3", "discount_percent": "10"},
            {"product": box.pk, "quantity": 2, "unit_price": "18.335"},
        ],
    )
    lines = list(order.lines.order_by("position"))
    # 3 × 100 × 0.9 = 270.00; unit price rounds half up to 18.34, × 2 = 36.68
    assert [line.line_total for line in lines] == [Decimal("270.00"), Decimal("36.68")]
    assert order.total == Decimal("306.68")
    assert order.cost == Decimal("191.00")  # 3 × 60 + 2 × 5.50
    assert order.profit == Decimal("115.68")
    assert order.owner == org.east_rep  # the customer's owner
    assert order.number.startswith(f"SO-{timezone.localdate():%Y%m%d}-")
    stored = Order.objects.get(pk=order.pk)
    assert (stored.total, stored.cost, stored.profit) == (order.total, order.cost, order.profit)
    entry = AuditEntry.objects.get(action="sales.order.created", object_id=str(order.pk))
    assert entry.changes["after"]["total"] == "306.68"


def test_numbers_are_sequential_per_day(org: Any, customer: Any) -> None:
    first = make_order(customer=customer)
    second = make_order(customer=customer)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_price_list_of_the_customer_grade_is_the_default_unit_price(
    org: Any, customer: Any
) -> None:
    product = make_product(list_price=Decimal("100.00"))
    other = make_product(list_price=Decimal("50.00"))
    services.price_list_create(
        actor=org.admin, name="A 类客户价", grade="A", items={product.pk: "88.00"}
    )
    grade_a = CustomerFactory(owner=org.east_rep, grade="A")
    order = make_order(
        customer=grade_a,
        lines=[{"product": product.pk, "quantity": 1}, {"product": other.pk, "quantity": 1}],
    )
    assert [line.unit_price for line in order.lines.order_by("position")] == [
        Decimal("88.00"),
        Decimal("50.00"),
    ]
    plain = make_order(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    assert plain.lines.get().unit_price == Decimal("100.00")
    PriceList.objects.update(is_active=False)
    again = make_order(customer=grade_a, lines=[{"product": product.pk, "quantity": 1}])
    assert again.lines.get().unit_price == Decimal("100.00")


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"quantity": "-1"}, "quantity", QUANTITY_POSITIVE),
        ({"quantity": "0"}, "quantity", QUANTITY_POSITIVE),
        ({"quantity": "abc"}, "quantity", None),
        ({"quantity": "NaN"}, "quantity", None),
        ({"quantity": "1e400"}, "quantity", None),
        ({"quantity": None}, "quantity", None),
        ({"discount_percent": "101"}, "discount_percent", DISCOUNT_RANGE),
        ({"discount_percent": "-5"}, "discount_percent", DISCOUNT_RANGE),
        ({"unit_price": "-3"}, "unit_price", None),
        ({"product": 999999}, "product", UNKNOWN_PRODUCT),
        ({"product": "x"}, "product", UNKNOWN_PRODUCT),
        ({"product": None}, "product", UNKNOWN_PRODUCT),
    ],
)
def test_bad_lines_are_field_errors_and_write_nothing(
    org: Any, customer: Any, line: dict[str, Any], field: str, message: Any
) -> None:
    product = make_product()
    good = {"product": product.pk, "quantity": "1"}
    with pytest.raises(ValidationError) as caught:
        services.order_create(actor=org.east_rep, customer=customer, lines=[good, {**good, **line}])
    errors = caught.value.field_errors
    assert list(errors) == [f"lines.1.{field}"]
    if message is not None:
        assert errors[f"lines.1.{field}"] == [str(message)]
    assert not Order.objects.exists()
    assert not OrderLine.objects.exists()


def test_inactive_product_empty_order_and_garbage_header(org: Any, customer: Any) -> None:
    retired = make_product(is_active=False)
    with pytest.raises(ValidationError) as caught:
        services.order_create(
            actor=org.east_rep,
            customer=customer,
            lines=[{"product": retired.pk, "quantity": 1}],
            status="stolen",
            order_date="2026-02-31",
        )
    assert caught.value.field_errors["lines.0.product"] == [str(INACTIVE_PRODUCT)]
    assert set(caught.value.field_errors) == {"lines.0.product", "status", "order_date"}
    for lines in ([], None, "garbage", [1, 2]):
        with pytest.raises(ValidationError) as caught:
            services.order_create(actor=org.east_rep, customer=customer, lines=lines)
        assert caught.value.field_errors.get("lines") == [str(NO_LINES)] or any(
            key.startswith("lines.") for key in caught.value.field_errors
        )
    assert not Order.objects.exists()


def test_customer_outside_scope_is_a_field_error(org: Any) -> None:
    west = CustomerFactory(owner=org.west_rep)
    with pytest.raises(ValidationError) as caught:
        make_order(customer=west, actor=org.east_rep)
    assert "customer" in caught.value.field_errors
    assert not Order.objects.exists()


def test_service_agent_may_not_create(org: Any, customer: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_order(customer=customer, actor=org.service_agent)


def test_update_replaces_lines_bumps_version_and_refuses_stale(org: Any, customer: Any) -> None:
    product = make_product(list_price=Decimal("10.00"), cost=Decimal("4.00"))
    order = make_order(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    updated = services.order_update(
        actor=org.east_rep,
        order=order,
        expected_version=1,
        status="completed",
        lines=[{"product": product.pk, "quantity": 5}],
    )
    assert updated.version == 2
    assert updated.status == "completed"
    assert (updated.total, updated.cost, updated.profit) == (
        Decimal("50.00"),
        Decimal("20.00"),
        Decimal("30.00"),
    )
    assert updated.lines.count() == 1
    with pytest.raises(ConflictError) as caught:
        services.order_update(actor=org.east_rep, order=order, expected_version=1, notes="x")
    assert caught.value.current_version == 2
    entry = AuditEntry.objects.get(action="sales.order.updated", object_id=str(order.pk))
    assert entry.changes["total"] == ["10.00", "50.00"]


def test_inactive_product_may_stay_on_its_order(org: Any, customer: Any) -> None:
    product = make_product()
    order = make_order(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    services.product_update(
        actor=org.admin, product=product, expected_version=None, is_active=False
    )
    updated = services.order_update(
        actor=org.east_rep,
        order=order,
        expected_version=None,
        lines=[{"product": product.pk, "quantity": 2}],
    )
    assert updated.lines.get().quantity == Decimal("2.00")


def test_update_outside_scope_is_not_found(org: Any, customer: Any) -> None:
    order = make_order(customer=customer)
    with pytest.raises(NotFound):
        services.order_update(actor=org.west_rep, order=order, expected_version=None, notes="x")


def test_delete_and_restore(org: Any, customer: Any) -> None:
    order = make_order(customer=customer)
    services.order_delete(actor=org.east_rep, order=order)
    order.refresh_from_db()
    assert order.deleted_at is not None
    services.order_restore(actor=org.east_rep, instance=order)
    order.refresh_from_db()
    assert order.deleted_at is None


def test_product_sku_unique_among_live_products(org: Any) -> None:
    product = make_product(sku="ab-1")
    assert product.sku == "AB-1"
    with pytest.raises(ValidationError) as caught:
        make_product(sku="AB-1")
    assert caught.value.field_errors["sku"] == [str(SKU_TAKEN)]
    services.product_delete(actor=org.admin, product=product)
    again = make_product(sku="AB-1")
    assert again.pk != product.pk
    with pytest.raises(ValidationError):
        services.product_restore(actor=org.admin, instance=Product.objects.get(pk=product.pk))


@pytest.mark.parametrize(
    ("field", "value"),
    [("list_price", "-1"), ("cost", "abc"), ("list_price", "1e20"), ("sku", ""), ("name", "")],
)
def test_product_garbage(org: Any, field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_product(**{field: value})
    assert field in caught.value.field_errors
    assert not Product.objects.exists()


def test_product_update_conflict(org: Any) -> None:
    product = make_product()
    services.product_update(actor=org.admin, product=product, expected_version=1, name="新名")
    with pytest.raises(ConflictError):
        services.product_update(actor=org.admin, product=product, expected_version=1, name="旧")


def test_rep_cannot_manage_products(org: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_product(actor=org.east_rep)
