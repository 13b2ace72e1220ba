"""Contract pages through the Django test client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.contracts.models import Contract, ContractStatus, Payment
from guanxi.contracts.tests.factories import make_contract, make_signed_contract
from guanxi.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_scope_and_filters(org: Any) -> None:
    mine = make_contract(owner=org.east_rep, title="东区合同")
    make_contract(owner=org.west_rep, title="西区合同")
    client = _client(org.east_rep)
    page = client.get(reverse("contracts:contract_list")).content.decode()
    assert "东区合同" in page and "西区合同" not in page
    manager_page = _client(org.manager).get(reverse("contracts:contract_list")).content.decode()
    assert "东区合同" in manager_page and "西区合同" in manager_page
    filtered = client.get(reverse("contracts:contract_list"), {"status": "signed"}).content.decode()
    assert "东区合同" not in filtered
    assert client.get(reverse("contracts:contract_detail", args=[mine.pk])).status_code == 200
    other = Contract.objects.get(title="西区合同")
    assert client.get(reverse("contracts:contract_detail", args=[other.pk])).status_code == 404


def test_list_query_count_does_not_grow(org: Any) -> None:
    for _index in range(3):
        make_contract(owner=org.east_rep)
    client = _client(org.east_rep)
    client.get(reverse("contracts:contract_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("contracts:contract_list"))
    for _index in range(10):
        make_contract(owner=org.east_rep)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("contracts:contract_list"))
    assert len(many) == len(few)


def test_create_page_field_errors_then_success(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("contracts:contract_create")
    assert client.get(url, {"customer": customer.pk}).status_code == 200
    data = {
        "title": "软件采购合同",
        "customer": customer.pk,
        "owner": org.east_rep.pk,
        "amount": "50000",
        "currency": "CNY",
        "start_on": "2026-03-01",
        "end_on": "2026-02-01",
        "remind_days_before_end": "30",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'data-testid="error-end_on"' in response.content.decode()
    assert not Contract.objects.exists()
    data["end_on"] = "2027-02-28"
    response = client.post(url, data)
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    assert contract.team == org.east


def test_steps_from_the_detail_page(org: Any) -> None:
    contract = make_contract(owner=org.east_rep)
    rep, manager = _client(org.east_rep), _client(org.manager)
    step = lambda name: reverse("contracts:contract_step", args=[contract.pk, name])  # noqa: E731
    rep.post(step("submit"))
    assert rep.post(step("approve")).status_code == 403
    manager.post(step("approve"), {"comment": "同意"})
    rep.post(step("sign"), {"signed_on": timezone.localdate().isoformat()})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SIGNED
    response = rep.post(step("finish"), follow=True)
    assert response.status_code == 200
    response = rep.post(step("terminate"), {"comment": "x"}, follow=True)
    assert "cannot be" in response.content.decode() or "不能" in response.content.decode()
    assert rep.post(step("explode")).status_code == 404


def test_record_payment_with_htmx_and_overpayment_error(org: Any) -> None:
    today = timezone.localdate()
    contract = make_signed_contract(
        owner=org.east_rep,
        signed_on=today,
        instalments=[
            (today - dt.timedelta(days=5), Decimal("4000")),
            (today + dt.timedelta(days=30), Decimal("6000")),
        ],
    )
    client = _client(org.east_rep)
    detail = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert 'data-testid="contract-overdue"' in detail
    url = reverse("contracts:payment_create", args=[contract.pk])
    data = {"received_on": today.isoformat(), "amount": "20000", "method": "bank_transfer"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="error-amount"' in body and "<html" not in body
    assert not Payment.objects.exists()
    data["amount"] = "4000"
    body = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="contract-outstanding">6000.00' in body
    assert 'data-testid="contract-overdue"' not in body


def test_plan_page_maps_row_errors(org: Any) -> None:
    contract = make_contract(owner=org.east_rep)
    client = _client(org.east_rep)
    url = reverse("contracts:plan_update", args=[contract.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"due_on_0": "2026-02-01", "amount_0": "20000", "due_on_1": "", "amount_1": ""}
    )
    assert (
        "more than the contract amount" in response.content.decode() or response.status_code == 200
    )
    assert not contract.instalments.exists()
    response = client.post(
        url, {"due_on_0": "2026-02-01", "amount_0": "3000", "due_on_1": "", "amount_1": "5"}
    )
    assert 'data-testid="error-due_on_1"' in response.content.decode()
    response = client.post(
        url,
        {
            "due_on_0": "2026-02-01",
            "amount_0": "3000",
            "due_on_1": "2026-01-01",
            "amount_1": "2000",
        },
    )
    assert response.status_code == 302
    assert list(contract.instalments.values_list("sequence", "amount")) == [
        (1, Decimal("2000.00")),
        (2, Decimal("3000.00")),
    ]


def test_receivables_page_and_csv(org: Any) -> None:
    make_signed_contract(owner=org.east_rep, end_on=dt.date(2026, 1, 31))
    client = _client(org.manager)
    page = client.get(reverse("contracts:receivables")).content.decode()
    assert 'data-testid="receivables-total">10000.00' in page
    csv_response = client.get(reverse("contracts:receivables"), {"format": "csv"})
    text = csv_response.content.decode("utf-8-sig")
    assert "10000.00" in text
    assert (
        _client(org.west_rep)
        .get(reverse("contracts:receivables"))
        .content.decode()
        .count('data-testid="receivables-row"')
        == 0
    )


def test_sequence_settings_page(org: Any) -> None:
    url = reverse("contracts:sequence_settings")
    assert _client(org.east_rep).get(url).status_code == 403
    client = _client(org.admin)
    response = client.post(url, {"pattern": "HT{seq}", "reset": "yearly", "version": 1})
    assert 'data-testid="error-pattern"' in response.content.decode()
    response = client.post(
        url, {"pattern": "SC-{yy}{mm}-{seq:04}", "reset": "yearly", "version": 1}
    )
    assert response.status_code == 302
    contract = make_contract(owner=org.east_rep)
    today = timezone.localdate()
    assert contract.number == f"SC-{today:%y%m}-0001"


def test_customer_360_and_home_panels(org: Any) -> None:
    today = timezone.localdate()
    contract = make_signed_contract(
        owner=org.east_rep,
        signed_on=today,
        instalments=[(today - dt.timedelta(days=3), Decimal("1000"))],
    )
    client = _client(org.east_rep)
    page = client.get(
        reverse("customers:customer_detail", args=[contract.customer_id]), {"full": "1"}
    ).content.decode()
    if "customer-contracts" in page:  # the include line is in the shared 360 template
        assert 'data-testid="customer-overdue"' in page
        assert "合同已签署" in page
    home = client.get("/").content.decode()
    if "home-overdue-receivables" in home:
        assert contract.number in home
