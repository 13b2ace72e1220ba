"""Score and history rows carry no database FK to the customer (bulk writes would pay
a deferred FK check per row at commit): purging a customer from the recycle bin must
still delete them, through Django's CASCADE."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guanxi.analytics.models import CustomerScore, GradeChange, StageChange
from guanxi.analytics.scoring import scores_compute
from guanxi.customers.models import Customer
from guanxi.customers.services import customer_delete
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.services import recycle_bin_purge
from guanxi.sales.models import Order

pytestmark = pytest.mark.django_db


def test_purging_a_customer_deletes_its_score_and_grade_and_stage_history(org) -> None:
    purged, kept = CustomerFactory.create_batch(2)
    for number, customer in enumerate((purged, kept)):
        Order.objects.create(
            number=f"P{number}",
            customer=customer,
            order_date=timezone.localdate() - datetime.timedelta(days=10),
            total=100,
            profit=25,
        )
    scores_compute()
    for model in (CustomerScore, GradeChange, StageChange):
        assert model.objects.filter(customer=purged).exists(), model
    customer_delete(actor=org.admin, customer=purged)
    Customer.objects.filter(pk=purged.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=400)
    )

    recycle_bin_purge(actor=None)

    assert not Customer.objects.filter(pk=purged.pk).exists()
    for model in (CustomerScore, GradeChange, StageChange):
        assert not model.objects.filter(customer_id=purged.pk).exists(), model
        assert model.objects.filter(customer_id=kept.pk).exists(), model
