from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from guanxi.analytics.models import CustomerScore, StagePlaybook
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.demo.analytics import load_analytics
from guanxi.sales.models import Order

pytestmark = pytest.mark.django_db


def test_demo_loader_scores_the_customers_and_turns_on_the_welcome_call() -> None:
    customer = CustomerFactory()
    Order.objects.create(
        number="DEMO-1",
        customer=customer,
        order_date=datetime.date(2026, 6, 1),
        total=Decimal("100"),
        profit=Decimal("30"),
    )

    result = load_analytics(today=datetime.date(2026, 6, 30))

    assert result.customers == 1
    assert CustomerScore.objects.get(customer=customer).purchases == 1
    assert StagePlaybook.objects.get(stage="new").is_active
