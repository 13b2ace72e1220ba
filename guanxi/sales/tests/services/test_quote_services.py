"""Quote services: totals, validation (nothing written), versions, status flow, expiry,
conversion to an order, delete/restore, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from guanxi.customers.services import contact_create
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.sales import selectors, services
from guanxi.sales.models import Order, Quote, QuoteLine, QuoteStatus
from guanxi.sales.services._common import next_day_number
from guanxi.sales.tests.factories import make_product
from guanxi.sales.tests.quote_factories import make_quote, quote_roles  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quote_roles")]


@pytest.fixture
def customer(org: Any) -> Any:
    return CustomerFactory(owner=org.east_rep, name="杭州西湖茶行")


def test_create_computes_line_amounts_discount_tax_and_total(org: Any, customer: Any) -> None:
    tea = make_product(name="龙井", list_price=Decimal("388.00"), unit="盒")
    quote = services.quote_create(
        actor=org.east_rep,
        customer=customer,
        lines=[
            {"product": tea.pk, "quantity": "2", "discount_percent": "10"},
            {"description": "上门安装服务", "quantity": "1", "unit": "次", "unit_price": "200"},
        ],
        discount_percent="5",
        tax_rate="13",
        terms="款到发货",
    )
    lines = list(quote.lines.order_by("position"))
    assert [line.amount for line in lines] == [Decimal("698.40"), Decimal("200.00")]
    assert lines[0].description == "龙井" and lines[0].unit == "盒"
    assert lines[1].product is None and lines[1].unit == "次"
    assert quote.subtotal == Decimal("898.40")
    assert quote.discount_amount == Decimal("44.92")
    assert quote.tax_amount == Decimal("110.95")  # 853.48 × 13 % = 110.9524
    assert quote.total == Decimal("964.43")
    assert quote.status == QuoteStatus.DRAFT
    assert quote.owner == org.east_rep
    assert quote.valid_until == quote.issued_on + dt.timedelta(days=30)
    assert quote.number == next_day_number(Quote, "Q-", timezone.localdate())[:-4] + "0001"
    assert AuditEntry.objects.filter(action="sales.quote.created", object_id=str(quote.pk)).exists()


def test_numbers_count_up_per_day(org: Any, customer: Any) -> None:
    first = make_quote(customer=customer)
    second = make_quote(customer=customer)
    assert first.number.startswith(f"Q-{timezone.localdate():%Y%m%d}-")
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"description": "x", "quantity": "-1", "unit_price": "5"}, "lines.0.quantity"),
        ({"description": "x", "quantity": "0", "unit_price": "5"}, "lines.0.quantity"),
        ({"description": "x", "quantity": "1", "unit_price": "-5"}, "lines.0.unit_price"),
        (
            {"description": "x", "quantity": "1", "unit_price": "5", "discount_percent": "101"},
            "lines.0.discount_percent",
        ),
        (
            {"description": "x", "quantity": "1", "unit_price": "5", "discount_percent": "-1"},
            "lines.0.discount_percent",
        ),
        ({"product": 999999, "quantity": "1"}, "lines.0.product"),
        ({"product": "abc", "quantity": "1"}, "lines.0.product"),
        ({"quantity": "1", "unit_price": "5"}, "lines.0.description"),
        ({"description": "x", "quantity": "1"}, "lines.0.unit_price"),
        ({"description": "x", "quantity": "NaN", "unit_price": "5"}, "lines.0.quantity"),
    ],
)
def test_bad_lines_are_field_errors_and_nothing_is_written(
    org: Any, customer: Any, line: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.quote_create(actor=org.east_rep, customer=customer, lines=[line])
    assert field in caught.value.field_errors
    assert Quote.objects.count() == 0 and QuoteLine.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="sales.quote").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"discount_percent": "100.5"}, "discount_percent"),
        ({"tax_rate": "-3"}, "tax_rate"),
        ({"issued_on": "2026-05-10", "valid_until": "2026-05-01"}, "valid_until"),
        ({"valid_until": "not a date"}, "valid_until"),
        ({"currency": "RMB!"}, "currency"),
        ({"owner": 999999}, "owner"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_bad_header_fields_are_field_errors(
    org: Any, customer: Any, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_quote(customer=customer, actor=org.east_rep, **fields)
    assert field in caught.value.field_errors
    assert Quote.objects.count() == 0


def test_no_lines_and_foreign_customer_contact(org: Any, customer: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.quote_create(actor=org.east_rep, customer=customer, lines=[])
    assert "lines" in caught.value.field_errors
    other = CustomerFactory(owner=org.east_rep)
    stranger = contact_create(actor=org.east_rep, customer=other, name="王五")
    with pytest.raises(ValidationError) as caught:
        make_quote(customer=customer, actor=org.east_rep, contact=stranger.pk)
    assert "contact" in caught.value.field_errors
    west = CustomerFactory(owner=org.west_rep)
    with pytest.raises(ValidationError) as caught:
        make_quote(customer=west, actor=org.east_rep)
    assert "customer" in caught.value.field_errors
    assert Quote.objects.count() == 0


def test_without_permission_nothing_happens(org: Any, customer: Any) -> None:
    with pytest.raises(PermissionDenied):
        make_quote(customer=customer, actor=org.service_agent)


def test_update_replaces_lines_checks_version_and_returns_to_draft(org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    quote = services.quote_send(actor=org.east_rep, quote=quote)
    assert quote.status == QuoteStatus.SENT and quote.sent_at is not None
    version = quote.version
    updated = services.quote_update(
        actor=org.east_rep,
        quote=quote,
        expected_version=version,
        lines=[{"description": "咨询", "quantity": "3", "unit_price": "50"}],
        tax_rate="6",
    )
    assert updated.status == QuoteStatus.DRAFT
    assert [line.description for line in updated.lines.all()] == ["咨询"]
    assert updated.subtotal == Decimal("150.00") and updated.total == Decimal("159.00")
    with pytest.raises(ConflictError):
        services.quote_update(
            actor=org.east_rep, quote=updated, expected_version=version, notes="stale"
        )
    # Only the tax rate: totals recomputed from the stored lines.
    again = services.quote_update(
        actor=org.east_rep, quote=updated, expected_version=updated.version, tax_rate="0"
    )
    assert again.total == Decimal("150.00")


def test_bad_update_writes_nothing(org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    before = (quote.version, quote.total, list(quote.lines.values_list("amount", flat=True)))
    with pytest.raises(ValidationError):
        services.quote_update(
            actor=org.east_rep,
            quote=quote,
            expected_version=quote.version,
            lines=[{"description": "x", "quantity": "-2", "unit_price": "1"}],
            title="changed",
        )
    quote.refresh_from_db()
    assert (
        quote.version,
        quote.total,
        list(quote.lines.values_list("amount", flat=True)),
    ) == before
    assert quote.title == ""


def test_status_flow_and_accepted_is_locked(org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    with pytest.raises(ValidationError):
        services.quote_send(
            actor=org.east_rep, quote=services.quote_send(actor=org.east_rep, quote=quote)
        )
    accepted = services.quote_accept(actor=org.east_rep, quote=quote)
    assert accepted.status == QuoteStatus.ACCEPTED and accepted.decided_at is not None
    with pytest.raises(ValidationError):
        services.quote_update(actor=org.east_rep, quote=accepted, expected_version=None, notes="x")
    with pytest.raises(ValidationError):
        services.quote_reject(actor=org.east_rep, quote=accepted)
    other = make_quote(customer=customer)
    rejected = services.quote_reject(actor=org.east_rep, quote=other, reason="价格太高")
    assert rejected.status == QuoteStatus.REJECTED
    assert rejected.rejection_reason == "价格太高"
    actions = set(
        AuditEntry.objects.filter(action__startswith="sales.quote.").values_list(
            "action", flat=True
        )
    )
    assert {"sales.quote.sent", "sales.quote.accepted", "sales.quote.rejected"} <= actions


def test_sending_a_quote_past_its_validity_is_refused(org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer, issued_on="2020-01-01", valid_until="2020-01-31")
    with pytest.raises(ValidationError) as caught:
        services.quote_send(actor=org.east_rep, quote=quote)
    assert "valid_until" in caught.value.field_errors


def test_expire_job_marks_only_open_quotes_past_validity(org: Any, customer: Any) -> None:
    today = timezone.localdate()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    past_draft = make_quote(customer=customer, issued_on="2026-01-01", valid_until=yesterday)
    past_sent = make_quote(customer=customer, issued_on="2026-01-01")
    Quote.objects.filter(pk=past_sent.pk).update(
        status=QuoteStatus.SENT, valid_until=today - dt.timedelta(days=3)
    )
    past_accepted = make_quote(customer=customer)
    services.quote_accept(actor=org.east_rep, quote=past_accepted)
    Quote.objects.filter(pk=past_accepted.pk).update(valid_until=today - dt.timedelta(days=3))
    valid_today = make_quote(customer=customer, valid_until=today.isoformat())
    assert services.quotes_expire() == 2
    statuses = dict(Quote.objects.values_list("pk", "status"))
    assert statuses[past_draft.pk] == statuses[past_sent.pk] == QuoteStatus.EXPIRED
    assert statuses[past_accepted.pk] == QuoteStatus.ACCEPTED
    assert statuses[valid_today.pk] == QuoteStatus.DRAFT
    assert AuditEntry.objects.filter(action="sales.quote.expired").count() == 2
    assert services.quotes_expire() == 0


def test_convert_accepted_quote_to_order(org: Any, customer: Any) -> None:
    tea = make_product(list_price=Decimal("100.00"), cost=Decimal("40.00"))
    quote = make_quote(
        customer=customer,
        lines=[{"product": tea.pk, "quantity": "3", "discount_percent": "10"}],
        discount_percent="10",
        tax_rate="13",
    )
    with pytest.raises(ValidationError):
        services.quote_convert_to_order(actor=org.east_rep, quote=quote)
    services.quote_accept(actor=org.east_rep, quote=quote)
    order = services.quote_convert_to_order(actor=org.east_rep, quote=quote)
    line = order.lines.get()
    assert line.discount_percent == Decimal("19.00")  # 10 % then 10 %
    assert order.total == Decimal("243.00") == quote.subtotal - quote.discount_amount
    assert quote.number in order.notes
    quote.refresh_from_db()
    assert quote.order == order
    with pytest.raises(ValidationError):
        services.quote_convert_to_order(actor=org.east_rep, quote=quote)
    assert Order.objects.count() == 1


def test_converting_a_free_text_line_is_refused(org: Any, customer: Any) -> None:
    quote = make_quote(
        customer=customer, lines=[{"description": "运费", "quantity": 1, "unit_price": 30}]
    )
    services.quote_accept(actor=org.east_rep, quote=quote)
    with pytest.raises(ValidationError) as caught:
        services.quote_convert_to_order(actor=org.east_rep, quote=quote)
    assert "lines.0.product" in caught.value.field_errors
    assert Order.objects.count() == 0


def test_delete_restore_and_recycle_scope(org: Any, customer: Any) -> None:
    quote = make_quote(customer=customer)
    with pytest.raises(NotFound):
        services.quote_delete(actor=org.west_rep, quote=quote)
    services.quote_delete(actor=org.east_rep, quote=quote)
    assert not selectors.quote_list(actor=org.east_rep).exists()
    services.quote_restore(actor=org.east_rep, instance=Quote.objects.get(pk=quote.pk))
    assert selectors.quote_list(actor=org.east_rep).count() == 1


def test_save_pdf_keeps_a_file_with_the_quote(
    org: Any, customer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    quote = make_quote(customer=customer)
    document = services.quote_pdf_save(actor=org.east_rep, quote=quote)
    path = tmp_path / document.file.name
    assert path.exists() and path.read_bytes().startswith(b"%PDF")
    assert document.size == path.stat().st_size
    assert document.quote_version == quote.version
    assert document.file.name.startswith(f"quotes/{quote.pk}/{quote.number}-v1-")
    assert list(selectors.quote_get(actor=org.manager, quote_id=quote.pk).pdfs.all()) == [document]


def test_opportunity_must_be_of_the_same_customer_and_visible(org: Any, customer: Any) -> None:
    from guanxi.deals.services import opportunity_create

    close_on = timezone.localdate() + dt.timedelta(days=30)
    deal = opportunity_create(
        actor=org.east_rep,
        customer=customer,
        title="春茶大单",
        amount=Decimal("5000"),
        expected_close_on=close_on,
    )
    other = CustomerFactory(owner=org.east_rep)
    elsewhere = opportunity_create(
        actor=org.east_rep,
        customer=other,
        title="别的客户",
        amount=Decimal("1"),
        expected_close_on=close_on,
    )
    quote = make_quote(customer=customer, opportunity=deal.pk)
    assert quote.opportunity == deal
    with pytest.raises(ValidationError) as caught:
        make_quote(customer=customer, opportunity=elsewhere.pk)
    assert "opportunity" in caught.value.field_errors
    with pytest.raises(ValidationError):
        make_quote(customer=customer, opportunity=987654)


def test_expiry_tells_the_owner_of_sent_quotes_once(org: Any, customer: Any) -> None:
    from guanxi.notifications.models import Notification

    today = timezone.localdate()
    sent = [make_quote(customer=customer) for _ in range(2)]
    for quote in sent:
        services.quote_send(actor=org.east_rep, quote=quote)
    draft = make_quote(customer=customer)
    Quote.objects.filter(pk__in=[q.pk for q in [*sent, draft]]).update(
        valid_until=today - dt.timedelta(days=1)
    )
    assert services.quotes_expire() == 3
    notes = list(Notification.objects.filter(kind="sales.quote_expired"))
    assert [n.recipient_id for n in notes] == [org.east_rep.pk]
    assert "status=expired" in notes[0].url
    assert sent[0].number in notes[0].body and draft.number not in notes[0].body
