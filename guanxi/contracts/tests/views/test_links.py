"""Contracts made from a quote or an opportunity; the quote's PDF attached in one click."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.contracts.models import Contract, ContractFile
from guanxi.contracts.services import contract_create
from guanxi.contracts.services.contracts import UNKNOWN_OPPORTUNITY, UNKNOWN_QUOTE
from guanxi.contracts.services.files import file_path
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.deals.tests.factories import make_opportunity
from guanxi.platform.exceptions import ValidationError
from guanxi.sales.tests.quote_factories import make_quote

pytestmark = pytest.mark.django_db


def test_create_from_quote_prefills_and_attaches_its_pdf(
    org: Any, settings: Any, tmp_path: Any
) -> None:
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    customer = CustomerFactory(owner=org.admin)
    opportunity = make_opportunity(actor=org.admin, customer=customer)
    quote = make_quote(
        customer=customer, actor=org.admin, opportunity=opportunity, title="服务器报价"
    )
    client = Client()
    client.force_login(org.admin)
    page = client.get(reverse("contracts:contract_create"), {"quote": quote.pk}).content.decode()
    assert "服务器报价" in page and f'value="{quote.pk}"' in page
    contract = contract_create(
        actor=org.admin,
        customer=customer,
        title="服务器采购合同",
        amount=quote.total,
        start_on="2026-01-01",
        end_on="2026-12-31",
        quote=quote.pk,
        opportunity=opportunity.pk,
    )
    assert contract.quote_id == quote.pk and contract.opportunity_id == opportunity.pk
    detail = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
    assert 'data-testid="attach-quote-pdf"' in detail
    response = client.post(reverse("contracts:file_attach_quote_pdf", args=[contract.pk]))
    assert response.status_code == 302
    item = ContractFile.objects.get(contract=contract)
    assert item.name == f"{quote.number}.pdf" and item.kind == "pdf"
    assert file_path(item).read_bytes().startswith(b"%PDF-")


def test_links_must_be_visible_and_of_the_same_customer(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    other = CustomerFactory(owner=org.west_rep)
    foreign_opportunity = make_opportunity(actor=org.west_rep, customer=other)
    foreign_quote = make_quote(customer=other, actor=org.admin)
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=org.east_rep,
            customer=customer,
            title="x",
            amount=Decimal("1"),
            start_on="2026-01-01",
            end_on="2026-12-31",
            opportunity=foreign_opportunity.pk,
            quote=foreign_quote.pk,
        )
    assert caught.value.field_errors["opportunity"] == [str(UNKNOWN_OPPORTUNITY)]
    assert caught.value.field_errors["quote"] == [str(UNKNOWN_QUOTE)]
    assert not Contract.objects.exists()
