"""Quotes over the API: round trip with If-Match, actions, bad input as problem+json with
nothing written, scoping, and the PDF read back with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.testing.api_client import assert_problem
from guanxi.sales.models import Order, Quote, QuoteLine
from guanxi.sales.tests.factories import make_product
from guanxi.sales.tests.quote_factories import make_quote, quote_roles  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quote_roles")]


def pdf_text(content: bytes, tmp_path: Any) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "quote.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_quote_round_trip(org: Any, api_as: Any, tmp_path: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="苏州园林文化有限公司")
    tea = make_product(name="碧螺春", list_price=Decimal("500.00"), unit="盒")
    api = api_as(org.east_rep)
    created = api.post(
        "/api/v1/quotes",
        {
            "customer": customer.pk,
            "title": "春季茶礼",
            "tax_rate": "13",
            "discount_percent": "0",
            "terms": "款到发货，运费包邮。",
            "lines": [
                {"product": tea.pk, "quantity": "20"},
                {"description": "定制礼盒", "quantity": "20", "unit": "个", "unit_price": "35"},
            ],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert Decimal(body["subtotal"]) == Decimal("10700.00")
    assert Decimal(body["tax_amount"]) == Decimal("1391.00")
    assert Decimal(body["total"]) == Decimal("12091.00")
    assert body["total_in_words"] == "壹万贰仟零玖拾壹元整"
    assert body["status"] == "draft" and body["number"].startswith("Q-")
    assert [line["unit"] for line in body["lines"]] == ["盒", "个"]
    quote_id, etag = body["id"], created["ETag"]

    listed = api.get(f"/api/v1/quotes?customer={customer.pk}&status=draft")
    assert [item["id"] for item in listed.json()["items"]] == [quote_id]

    patched = api.patch(
        f"/api/v1/quotes/{quote_id}", {"discount_percent": "10"}, **{"If-Match": etag}
    )
    assert patched.status_code == 200, patched.content
    assert Decimal(patched.json()["total"]) == Decimal("10881.90")
    stale = api.patch(f"/api/v1/quotes/{quote_id}", {"title": "x"}, **{"If-Match": etag})
    assert "current_version" in assert_problem(stale, 409)

    sent = api.post(f"/api/v1/quotes/{quote_id}/send", {}, **{"If-Match": patched["ETag"]})
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert_problem(api.post(f"/api/v1/quotes/{quote_id}/send"), 422)

    pdf = api.get(f"/api/v1/quotes/{quote_id}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content, tmp_path)
    assert "苏州园林文化有限公司" in text
    assert "壹万零捌佰捌拾壹元玖角整" in text
    assert body["number"] in text
    assert "碧螺春" in text and "定制礼盒" in text

    saved = api.post(f"/api/v1/quotes/{quote_id}/pdfs")
    assert saved.status_code == 201, saved.content
    download = api.get(saved.json()["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert [p["id"] for p in api.get(f"/api/v1/quotes/{quote_id}").json()["pdfs"]] == [
        saved.json()["id"]
    ]

    accepted = api.post(f"/api/v1/quotes/{quote_id}/accept")
    assert accepted.json()["status"] == "accepted"
    assert_problem(api.patch(f"/api/v1/quotes/{quote_id}", {"title": "late"}), 422)
    # The gift box line has no product: an order cannot take it.
    refused = api.post(f"/api/v1/quotes/{quote_id}/convert")
    assert "lines.1.product" in assert_problem(refused, 422)["errors"]
    product_only = make_quote(customer=customer, lines=[{"product": tea.pk, "quantity": 2}])
    api.post(f"/api/v1/quotes/{product_only.pk}/accept")
    converted = api.post(f"/api/v1/quotes/{product_only.pk}/convert")
    assert converted.status_code == 201, converted.content
    order = Order.objects.get(pk=converted.json()["order"])
    assert order.customer_id == customer.pk and order.total == Decimal("1000.00")
    assert_problem(api.post(f"/api/v1/quotes/{product_only.pk}/convert"), 422)

    assert api.delete(f"/api/v1/quotes/{quote_id}").status_code == 204
    assert_problem(api.get(f"/api/v1/quotes/{quote_id}"), 404)
    assert api.post(f"/api/v1/quotes/{quote_id}/restore").status_code == 200


def test_reject_with_reason(org: Any, api_as: Any) -> None:
    quote = make_quote(customer=CustomerFactory(owner=org.east_rep))
    answer = api_as(org.east_rep).post(f"/api/v1/quotes/{quote.pk}/reject", {"reason": "预算不足"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "rejected"
    assert answer.json()["rejection_reason"] == "预算不足"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"lines": [{"description": "x", "quantity": "-2", "unit_price": "1"}]},
            "lines.0.quantity",
        ),
        (
            {
                "lines": [
                    {
                        "description": "x",
                        "quantity": "1",
                        "unit_price": "1",
                        "discount_percent": "150",
                    }
                ]
            },
            "lines.0.discount_percent",
        ),
        ({"lines": [{"product": 987654, "quantity": "1"}]}, "lines.0.product"),
        (
            {"lines": [{"description": "x", "quantity": "1", "unit_price": "-1"}]},
            "lines.0.unit_price",
        ),
        ({"discount_percent": "120"}, "discount_percent"),
        ({"tax_rate": "-1"}, "tax_rate"),
        ({"issued_on": "2026-06-01", "valid_until": "2026-05-01"}, "valid_until"),
        ({"lines": []}, "lines"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(
    org: Any, api_as: Any, change: dict[str, Any], field: str
) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    payload = {
        "customer": customer.pk,
        "lines": [{"description": "咨询", "quantity": "1", "unit_price": "100"}],
        **change,
    }
    answer = api_as(org.east_rep).post("/api/v1/quotes", payload)
    assert field in assert_problem(answer, 422)["errors"]
    assert Quote.objects.count() == 0 and QuoteLine.objects.count() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"customer": "abc", "lines": []},
        {"customer": 1, "lines": [{"quantity": "x"}]},
        {"customer": 1, "lines": [], "unknown": 1},
        {"customer": 1, "lines": [{"quantity": 1, "product": 2**70}]},
        {"customer": 1, "lines": [], "issued_on": "31/12/2026"},
    ],
)
def test_malformed_payloads_are_422(org: Any, api_as: Any, payload: dict[str, Any]) -> None:
    assert_problem(api_as(org.east_rep).post("/api/v1/quotes", payload), 422)
    assert Quote.objects.count() == 0


def test_scope_other_reps_quotes_are_404(org: Any, api_as: Any) -> None:
    mine = make_quote(customer=CustomerFactory(owner=org.east_rep))
    theirs = make_quote(customer=CustomerFactory(owner=org.west_rep))
    api = api_as(org.east_rep)
    assert [item["id"] for item in api.get("/api/v1/quotes").json()["items"]] == [mine.pk]
    for path in ("", "/pdf"):
        assert_problem(api.get(f"/api/v1/quotes/{theirs.pk}{path}"), 404)
    assert_problem(api.patch(f"/api/v1/quotes/{theirs.pk}", {"title": "x"}), 404)
    assert_problem(api.post(f"/api/v1/quotes/{theirs.pk}/accept"), 404)
    assert_problem(api.delete(f"/api/v1/quotes/{theirs.pk}"), 404)
    assert_problem(
        api.post(
            "/api/v1/quotes",
            {
                "customer": theirs.customer_id,
                "lines": [{"description": "x", "quantity": 1, "unit_price": 1}],
            },
        ),
        422,
    )
    service = api_as(org.service_agent)
    assert service.get(f"/api/v1/quotes/{theirs.pk}").status_code == 200
    assert_problem(service.post(f"/api/v1/quotes/{theirs.pk}/send"), 404)


def test_list_query_count_does_not_grow_with_quotes(org: Any, api_as: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    product = make_product()
    api = api_as(org.manager)
    make_quote(customer=customer, lines=[{"product": product.pk, "quantity": 1}])
    api.get("/api/v1/quotes")  # the first request also notes the token's use
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/v1/quotes").status_code == 200
    for _ in range(5):
        make_quote(customer=customer, lines=[{"product": product.pk, "quantity": 2}])
    with CaptureQueriesContext(connection) as six:
        assert len(api.get("/api/v1/quotes").json()["items"]) == 6
    assert len(six) == len(one)
