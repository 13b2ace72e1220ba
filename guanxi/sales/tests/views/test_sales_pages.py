"""Sales pages through the Django test client: 360 panel, order form, lists, scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.conftest import PASSWORD
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.sales import selectors, services
from guanxi.sales.models import Order
from guanxi.sales.tests.factories import make_order, make_product

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_360_aggregates_in_sql_and_queries_do_not_grow(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    product = make_product(list_price=Decimal("100.00"), cost=Decimal("30.00"))
    line = [{"product": product.pk, "quantity": 1}]
    make_order(customer=customer, lines=line, order_date=dt.date(2025, 1, 5))
    make_order(customer=customer, lines=line, order_date=dt.date(2025, 6, 1), status="completed")
    make_order(customer=customer, lines=line, order_date=dt.date(2026, 1, 1), status="cancelled")
    make_order(customer=customer, lines=line, order_date=dt.date(2026, 2, 1), status="draft")
    summary = selectors.customer_sales_summary(actor=org.east_rep, customer_id=customer.pk)
    assert summary is not None
    assert summary.order_count == 2
    assert summary.lifetime_spend == Decimal("200.00")
    assert summary.profit == Decimal("140.00")
    assert summary.average_order_value == Decimal("100.00")
    assert summary.first_purchase == dt.date(2025, 1, 5)
    assert summary.last_purchase == dt.date(2025, 6, 1)
    assert len(summary.orders) == 4  # history lists every status

    client = _client(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert page.status_code == 200
    assert b'data-testid="customer-sales"' in page.content
    assert b"200.00" in page.content
    for index in range(15):
        make_order(customer=customer, lines=line, order_date=dt.date(2024, 1, 1 + index))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(few)
    assert page.content.count(b'data-testid="customer-order-row"') == 10


def test_360_panel_hidden_without_permission(org: Any) -> None:
    from guanxi.accounts.services import role_create, user_create

    role = role_create(
        actor=org.admin,
        code="viewer",
        name="只看客户",
        data_scope="all",
        permissions=["customers.view_customer"],
    )
    viewer = user_create(
        actor=None, username="viewer", password=PASSWORD, display_name="看", role=role
    )
    customer = CustomerFactory(owner=org.east_rep)
    make_order(customer=customer)
    page = _client(viewer).get(reverse("customers:customer_detail", args=[customer.pk]))
    assert page.status_code == 200
    assert b"customer-sales" not in page.content


def _order_post(customer: Any, lines: list[tuple[Any, str, str, str]], **extra: str) -> dict:
    return {
        "customer": str(customer.pk),
        "order_date": "2026-05-20",
        "status": "confirmed",
        "owner": "",
        "notes": "",
        "line-product": [str(p) for p, _q, _u, _d in lines],
        "line-quantity": [q for _p, q, _u, _d in lines],
        "line-unit_price": [u for _p, _q, u, _d in lines],
        "line-discount_percent": [d for _p, _q, _u, d in lines],
        **extra,
    }


def test_order_form_creates_and_shows_line_errors(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    tea = make_product(list_price=Decimal("50.00"))
    cup = make_product(list_price=Decimal("8.00"))
    client = _client(org.east_rep)
    url = reverse("sales:order_create")
    assert client.get(f"{url}?customer={customer.pk}").status_code == 200

    bad = client.post(
        url, _order_post(customer, [(tea.pk, "-1", "", "0"), (cup.pk, "2", "", "120")])
    )
    assert bad.status_code == 200
    assert not Order.objects.exists()
    content = bad.content.decode()
    assert "Enter a quantity greater than zero." in content or "数量" in content
    assert '"quantity": ["' in content.replace("&quot;", '"')

    empty = client.post(url, _order_post(customer, [("", "", "", "")]))
    assert empty.status_code == 200
    assert b'data-testid="lines-error"' in empty.content

    # A row added and left as it started (quantity 1, no discount) is not a line.
    good = client.post(
        url,
        _order_post(customer, [(tea.pk, "2", "", "0"), (cup.pk, "3", "7", ""), ("", "1", "", "0")]),
    )
    assert good.status_code == 302, good.content[:3000]
    order = Order.objects.get()
    assert order.total == Decimal("121.00")
    assert good["Location"] == reverse("sales:order_detail", args=[order.pk])
    detail = client.get(good["Location"])
    assert detail.status_code == 200
    assert order.number.encode() in detail.content


def test_order_edit_conflict_screen(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    product = make_product()
    order = make_order(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    services.order_update(actor=org.manager, order=order, expected_version=1, status="completed")
    client = _client(org.east_rep)
    url = reverse("sales:order_update", args=[order.pk])
    data = _order_post(customer, [(product.pk, "4", "", "0")], version="1", status="cancelled")
    response = client.post(url, data)
    assert response.status_code == 200
    assert b'id="conflict-message"' in response.content
    assert b'name="version" value="2"' in response.content
    order.refresh_from_db()
    assert order.status == "completed"
    data["version"] = "2"
    assert client.post(url, data).status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.lines.get().quantity == Decimal("4.00")


def test_lists_filters_and_scope(org: Any) -> None:
    east = make_order(customer=CustomerFactory(owner=org.east_rep, name="东方客户"))
    west = make_order(customer=CustomerFactory(owner=org.west_rep, name="西部客户"))
    client = _client(org.east_rep)
    page = client.get(reverse("sales:order_list"))
    assert east.number.encode() in page.content
    assert west.number.encode() not in page.content
    assert client.get(reverse("sales:order_detail", args=[west.pk])).status_code == 404
    assert client.get(reverse("sales:order_update", args=[west.pk])).status_code == 404
    manager = _client(org.manager)
    filtered = manager.get(reverse("sales:order_list"), {"q": "西部"})
    assert west.number.encode() in filtered.content
    assert east.number.encode() not in filtered.content
    garbage = manager.get(
        reverse("sales:order_list"),
        {"date_from": "2026-99-99", "owner": "abc", "status": "x", "sort": "evil", "cursor": "%%"},
    )
    assert garbage.status_code == 200
    htmx = manager.get(reverse("sales:order_list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 200
    assert b"<html" not in htmx.content

    products = client.get(reverse("sales:product_list"), {"q": "测试"})
    assert products.status_code == 200
    assert client.get(reverse("sales:product_create")).status_code == 403
    assert _client(org.admin).get(reverse("sales:price_list_create")).status_code == 200


def test_product_and_price_list_pages(org: Any) -> None:
    client = _client(org.manager)
    created = client.post(
        reverse("sales:product_create"),
        {
            "sku": "p-1",
            "name": "普洱",
            "unit": "饼",
            "list_price": "120",
            "cost": "40",
            "is_active": "on",
            "category": "茶",
        },
    )
    assert created.status_code == 302, created.content[:2000]
    product = selectors.product_list(actor=org.manager).get(sku="P-1")
    bad = client.post(
        reverse("sales:product_create"),
        {"sku": "P-1", "name": "again", "unit": "个", "list_price": "1", "cost": "0"},
    )
    assert bad.status_code == 200
    assert b"error-sku" in bad.content
    saved = client.post(
        reverse("sales:price_list_create"),
        {"name": "A 价", "grade": "A", "is_active": "on", f"price-{product.pk}": "99"},
    )
    assert saved.status_code == 302, saved.content[:2000]
    wrong = client.post(
        reverse("sales:price_list_create"),
        {"name": "B 价", "grade": "B", "is_active": "on", f"price-{product.pk}": "abc"},
    )
    assert wrong.status_code == 200
    assert b"invalid-feedback" in wrong.content
    grade_a = CustomerFactory(owner=org.east_rep, grade="A")
    price = client.get(
        reverse("sales:order_line_price"), {"product": product.pk, "customer": grade_a.pk}
    )
    assert price.json() == {"unit_price": "99.00"}


def test_recycle_bin_lists_and_restores_orders_and_products(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    order = make_order(customer=customer)
    services.order_delete(actor=org.east_rep, order=order)
    product = make_product(actor=org.admin, sku="GONE-1")
    services.product_delete(actor=org.admin, product=product)
    rep = _client(org.east_rep)
    page = rep.get(reverse("platform:recycle_bin"))
    assert page.status_code == 200
    assert order.number.encode() in page.content
    assert b"GONE-1" not in page.content  # products: the admin's recycle bin
    restored = rep.post(reverse("platform:recycle_bin_restore", args=["sales.order", order.pk]))
    assert restored.status_code in (200, 302)
    order.refresh_from_db()
    assert order.deleted_at is None
    admin_page = _client(org.admin).get(reverse("platform:recycle_bin"))
    assert b"GONE-1" in admin_page.content


def test_customer_picker_searches_the_scope(org: Any) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="苏州丝绸厂")
    CustomerFactory(owner=org.west_rep, name="苏州刺绣坊")
    url = reverse("sales:customer_options")
    found = _client(org.east_rep).get(url, {"q": "苏州"}).json()["items"]
    assert found == [{"value": mine.pk, "text": "苏州丝绸厂"}]
    assert _client(org.east_rep).get(url).json() == {"items": []}
    assert _client(org.service_agent).get(url, {"q": "苏州"}).status_code == 403


def test_order_export_csv_is_filtered_scoped_and_audited(org: Any) -> None:
    from guanxi.platform.models import AuditEntry

    east = make_order(customer=CustomerFactory(owner=org.east_rep, name="=东方"), status="draft")
    make_order(customer=CustomerFactory(owner=org.east_rep2, name="东二"))
    make_order(customer=CustomerFactory(owner=org.west_rep, name="西部"))
    url = reverse("sales:order_export")
    assert _client(org.east_rep).get(url).status_code == 403
    response = _client(org.manager).get(url, {"owner": org.east_rep.pk})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert east.number in lines[1] and "'=东方" in lines[1]  # no formula injection
    entry = AuditEntry.objects.get(action="sales.order.exported")
    assert entry.changes["count"] == 1
