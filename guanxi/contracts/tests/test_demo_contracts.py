from __future__ import annotations

import random

import pytest
from django.db.models import Sum

from guanxi.contracts.models import Contract, Payment, PaymentPlan
from guanxi.contracts.selectors import receivables_report
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.demo.contracts import generate_contracts

pytestmark = pytest.mark.django_db


def test_demo_contracts_are_consistent(org) -> None:
    for _index in range(60):
        CustomerFactory(owner=org.east_rep)
        CustomerFactory(owner=org.west_rep)
    users = [org.east_rep, org.west_rep, org.manager]
    counts = generate_contracts(rng=random.Random(7), customers=2000, users=users)
    assert counts["contracts"] == Contract.objects.count() > 0
    assert counts["instalments"] == PaymentPlan.objects.count()
    assert len(set(Contract.objects.values_list("number", flat=True))) == counts["contracts"]
    for contract in Contract.objects.all():
        planned = PaymentPlan.objects.filter(contract=contract).aggregate(t=Sum("amount"))["t"]
        received = Payment.objects.filter(contract=contract).aggregate(t=Sum("amount"))["t"]
        assert planned is None or planned == contract.amount
        assert received is None or received <= contract.amount
        assert contract.received_amount == (received or 0)
        assert contract.planned_amount == (planned or 0)
        before = 0
        for item in PaymentPlan.objects.filter(contract=contract).order_by("sequence"):
            assert item.before_amount == before
            before += item.amount
        assert contract.team_id == contract.owner.team_id
    report = receivables_report(actor=org.manager)
    assert report.totals.total >= 0
