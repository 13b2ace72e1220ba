"""Quote pages: list filters, create/edit with lines and errors, actions, PDF, 360 panel,
query counts, and no peeking at other reps' quotes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from guanxi.customers.services import contact_create
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.sales.models import Order, Quote, QuoteStatus
from guanxi.sales.services import quote_send
from guanxi.sales.tests.factories import make_product
from guanxi.sales.tests.quote_factories import make_quote, quote_roles  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quote_roles")]


@pytest.fixture
def customer(org: Any) -> Any:
    return CustomerFactory(owner=org.east_rep, name="宁波海港物流")


def _post_quote(client: Any, customer: Any, lines: list[dict[str, str]], **header: str) -> Any:
    data: dict[str, Any] = {
        "customer": customer.pk,
        "issued_on": "2026-03-01",
        "valid_until": "2026-03-31",
        "currency": "CNY",
        "discount_percent": "0",
        "tax_rate": "13",
        **header,
    }
    for name in ("product", "description", "quantity", "unit", "unit_price", "discount_percent"):
        data[f"line-{name}"] = [line.get(name, "") for line in lines]
    return client.post(reverse("sales:quote_create"), data)


def test_create_with_product_and_free_text_lines(client: Any, org: Any, customer: Any) -> None:
    tea = make_product(name="白茶", list_price=Decimal("120.00"), unit="饼")
    person = contact_create(actor=org.east_rep, customer=customer, name="周经理")
    client.force_login(org.east_rep)
    page = client.get(reverse("sales:quote_create"), {"customer": customer.pk})
    assert page.status_code == 200
    assert "周经理" in page.content.decode()
    response = _post_quote(
        client,
        customer,
        [
            {"product": str(tea.pk), "quantity": "10", "unit_price": "", "discount_percent": "0"},
            {"description": "物流保险", "quantity": "1", "unit": "项", "unit_price": "80"},
            {"quantity": "1", "discount_percent": "0"},  # an unused new row
        ],
        contact=str(person.pk),
        title="年货团购",
    )
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("sales:quote_detail", args=[quote.pk])
    assert quote.contact == person and quote.title == "年货团购"
    assert quote.total == Decimal("1446.40")  # (1200 + 80) × 1.13
    detail = client.get(response.url).content.decode()
    assert "壹仟肆佰肆拾陆元肆角整" in detail
    assert detail.count('data-testid="quote-line"') == 2


def test_bad_lines_show_errors_and_write_nothing(client: Any, org: Any, customer: Any) -> None:
    client.force_login(org.east_rep)
    response = _post_quote(
        client,
        customer,
        [{"description": "x", "quantity": "-3", "unit_price": "5", "discount_percent": "150"}],
        valid_until="2026-02-01",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="error-valid_until"' in html
    assert "Enter a quantity greater than zero." in html or "数量" in html
    assert Quote.objects.count() == 0


def test_edit_replaces_lines_and_conflict_is_shown(client: Any, org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    client.force_login(org.east_rep)
    url = reverse("sales:quote_update", args=[quote.pk])
    assert client.get(url).status_code == 200
    data = {
        "issued_on": quote.issued_on.isoformat(),
        "valid_until": quote.valid_until.isoformat(),
        "currency": "CNY",
        "discount_percent": "0",
        "tax_rate": "0",
        "version": str(quote.version),
        "line-product": [""],
        "line-description": ["顾问服务"],
        "line-quantity": ["2"],
        "line-unit": ["天"],
        "line-unit_price": ["3000"],
        "line-discount_percent": ["0"],
    }
    assert client.post(url, data).status_code == 302
    quote.refresh_from_db()
    assert quote.total == Decimal("6000.00")
    stale = client.post(url, {**data, "title": "late"})  # the version it sends is old now
    assert stale.status_code == 200
    assert 'id="conflict-message"' in stale.content.decode()


def test_actions_send_accept_convert_and_pdf(client: Any, org: Any, customer: Any) -> None:
    product = make_product(list_price=Decimal("50.00"))
    quote = make_quote(customer=customer, lines=[{"product": product.pk, "quantity": 4}])
    client.force_login(org.east_rep)
    detail = reverse("sales:quote_detail", args=[quote.pk])
    client.post(reverse("sales:quote_send", args=[quote.pk]), {"version": quote.version})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    # A stale version is refused with a message, not a crash.
    stale = client.post(reverse("sales:quote_accept", args=[quote.pk]), {"version": 1})
    assert stale.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    client.post(reverse("sales:quote_accept", args=[quote.pk]), {"version": quote.version})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert 'data-testid="quote-edit"' not in client.get(detail).content.decode()
    converted = client.post(reverse("sales:quote_convert", args=[quote.pk]))
    order = Order.objects.get()
    assert converted.url == reverse("sales:order_detail", args=[order.pk])
    pdf = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.post(reverse("sales:quote_pdf_save", args=[quote.pk]))
    html = client.get(detail).content.decode()
    assert html.count('data-testid="quote-pdf-file"') == 1
    saved = quote.pdfs.get()
    file_url = reverse("sales:quote_pdf_file", args=[quote.pk, saved.pk])
    assert b"".join(client.get(file_url).streaming_content).startswith(b"%PDF")


def test_reject_with_reason(client: Any, org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    client.force_login(org.east_rep)
    client.post(
        reverse("sales:quote_reject", args=[quote.pk]),
        {"version": quote.version, "reason": "选了别家"},
    )
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REJECTED and quote.rejection_reason == "选了别家"


def test_list_filters_and_other_reps_get_404(client: Any, org: Any, customer: Any) -> None:
    sent = make_quote(customer=customer, title="已发送的")
    quote_send(actor=org.east_rep, quote=sent)
    draft = make_quote(customer=customer, title="另一份报价")
    west = make_quote(customer=CustomerFactory(owner=org.west_rep), title="华西的")
    client.force_login(org.east_rep)
    html = client.get(reverse("sales:quote_list")).content.decode()
    assert html.count('data-testid="quote-row"') == 2 and "华西的" not in html
    html = client.get(reverse("sales:quote_list"), {"status": "sent"}).content.decode()
    assert "已发送的" in html and "另一份报价" not in html
    html = client.get(reverse("sales:quote_list"), {"date_from": "garbage"}).content.decode()
    assert html.count('data-testid="quote-row"') == 2
    for name in ("quote_detail", "quote_update", "quote_pdf"):
        assert client.get(reverse(f"sales:{name}", args=[west.pk])).status_code == 404
    for name in ("quote_send", "quote_accept", "quote_delete", "quote_pdf_save"):
        assert client.post(reverse(f"sales:{name}", args=[west.pk])).status_code == 404
    contacts = client.get(reverse("sales:quote_contact_options"), {"customer": west.customer_id})
    assert contacts.json() == {"items": [], "opportunities": []}
    assert draft.pk


def test_list_query_count_does_not_grow(
    client: Any, org: Any, customer: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(20):
        make_quote(customer=customer)
    client.force_login(org.manager)
    client.get(reverse("sales:quote_list"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("sales:quote_list")).status_code == 200


def test_360_panel_shows_quotes_and_open_total(
    client: Any, org: Any, customer: Any, django_assert_num_queries: Any
) -> None:
    from guanxi.sales.selectors import customer_quotes_summary
    from guanxi.sales.services import quote_delete, quote_reject

    quote = make_quote(customer=customer, tax_rate="13")  # 113.00
    make_quote(customer=customer)  # 100.00
    quote_reject(actor=org.east_rep, quote=make_quote(customer=customer))
    quote_delete(actor=org.east_rep, quote=make_quote(customer=customer))
    make_quote(customer=CustomerFactory(owner=org.east_rep))  # another customer's
    with django_assert_num_queries(1):
        summary = customer_quotes_summary(actor=org.east_rep, customer_id=customer.pk)
    assert (summary.open_count, summary.open_total) == (2, Decimal("213.00"))
    assert len(summary.quotes) == 3
    client.force_login(org.east_rep)
    url = reverse("customers:customer_detail", args=[customer.pk])
    html = client.get(url, {"full": "1"}).content.decode()  # panels and timeline inline
    assert 'data-testid="customer-quotes"' in html
    assert html.count('data-testid="customer-quote-row"') == 3
    assert quote.number in html and "213.00" in html
    assert f'data-kind="quote.{quote.status}"' in html  # on the timeline too
    empty = CustomerFactory(owner=org.east_rep)
    summary = customer_quotes_summary(actor=org.east_rep, customer_id=empty.pk)
    assert (summary.quotes, summary.open_count, summary.open_total) == ([], 0, Decimal("0.00"))


def test_no_permission_no_pages(client: Any, org: Any, customer: Any) -> None:
    client.force_login(org.service_agent)
    assert client.get(reverse("sales:quote_list")).status_code == 200
    assert client.get(reverse("sales:quote_create")).status_code == 403


def test_new_quote_from_an_opportunity(client: Any, org: Any, customer: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from guanxi.deals.services import opportunity_create

    deal = opportunity_create(
        actor=org.east_rep,
        customer=customer,
        title="仓储系统升级",
        amount=Decimal("80000"),
        expected_close_on=timezone.localdate() + dt.timedelta(days=20),
    )
    client.force_login(org.east_rep)
    page = client.get(reverse("sales:quote_create"), {"opportunity": deal.pk}).content.decode()
    assert f'<option value="{deal.pk}" selected>' in page
    assert 'value="仓储系统升级"' in page
    response = _post_quote(
        client,
        customer,
        [{"description": "实施服务", "quantity": "1", "unit_price": "80000"}],
        opportunity=str(deal.pk),
    )
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.opportunity == deal
    assert "仓储系统升级" in client.get(response.url).content.decode()
