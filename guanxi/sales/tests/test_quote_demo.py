"""The demo quotes: totals as the services compute them, valid numbers, statuses that
fit the dates, owners that own the customer; a second run adds without clashing."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.demo.generator import demo_create
from guanxi.demo.quotes import generate_quotes
from guanxi.sales.models import Quote, QuoteLine

pytestmark = pytest.mark.django_db


def test_demo_quotes_are_consistent() -> None:
    counts = demo_create(customers=300, seed=5).sales_work
    users = list(User.objects.all())
    assert counts["quotes"] == Quote.objects.count() >= 100
    assert counts["quote_lines"] == QuoteLine.objects.count()
    today = timezone.localdate()
    for quote in Quote.objects.prefetch_related("lines").select_related("customer")[:300]:
        subtotal = sum((line.amount for line in quote.lines.all()), Decimal("0.00"))
        assert quote.subtotal == subtotal
        assert quote.total == quote.subtotal - quote.discount_amount + quote.tax_amount
        assert quote.owner_id == quote.customer.owner_id
        if quote.valid_until >= today:
            assert quote.status in ("draft", "sent", "accepted")
        else:
            assert quote.status in ("accepted", "rejected", "expired")
        if quote.opportunity_id:
            assert quote.opportunity.customer_id == quote.customer_id
    again = generate_quotes(rng=random.Random(2), customers=10, users=users)
    assert Quote.objects.values("number").distinct().count() == counts["quotes"] + again["quotes"]
