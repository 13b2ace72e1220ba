from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.activities.models import Task
from guanxi.contracts.models import Contract
from guanxi.contracts.services import contracts_renewal_remind, payment_record
from guanxi.contracts.tests.factories import make_signed_contract
from guanxi.customers.services import customer_merge
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.timeline import timeline_for_customer
from guanxi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_renewal_reminder_once_with_notification_and_task(org) -> None:
    contract = make_signed_contract(owner=org.east_rep, end_on=dt.date(2026, 12, 31))
    assert contracts_renewal_remind(today=dt.date(2026, 11, 30)) == 0  # 31 days before
    assert contracts_renewal_remind(today=dt.date(2026, 12, 1)) == 1  # 30 days before
    assert contracts_renewal_remind(today=dt.date(2026, 12, 2)) == 0  # only once
    notification = Notification.objects.get(recipient=org.east_rep, kind="contracts.renewal_due")
    assert contract.number in notification.title
    task = Task.objects.get(assignee=org.east_rep)
    assert contract.number in task.title
    assert task.customer_id == contract.customer_id
    assert task.due_on == dt.date(2026, 12, 24)


def test_no_reminder_for_drafts_or_ended_contracts(org) -> None:
    make_signed_contract(owner=org.east_rep, end_on=dt.date(2026, 6, 30))
    assert contracts_renewal_remind(today=dt.date(2026, 7, 1)) == 0
    assert not Notification.objects.filter(kind="contracts.renewal_due").exists()


def test_timeline_shows_signing_and_payments_in_scope(org) -> None:
    contract = make_signed_contract(owner=org.east_rep, signed_on=dt.date(2026, 1, 5))
    payment_record(
        actor=org.east_rep, contract=contract, received_on="2026-02-01", amount=Decimal("3000")
    )
    events = timeline_for_customer(customer=contract.customer, actor=org.east_rep)
    kinds = [event.kind for event in events if event.kind.startswith("contracts.")]
    assert kinds == ["contracts.payment", "contracts.signed"]
    before = next(event.at for event in events if event.kind == "contracts.payment")
    older = timeline_for_customer(customer=contract.customer, actor=org.east_rep, before=before)
    assert [e.kind for e in older if e.kind.startswith("contracts.")] == ["contracts.signed"]


def test_contracts_follow_a_customer_merge(org) -> None:
    contract = make_signed_contract(owner=org.east_rep)
    survivor = CustomerFactory(owner=org.east_rep)
    customer_merge(actor=org.admin, survivor=survivor, other=contract.customer)
    assert Contract.objects.get(pk=contract.pk).customer_id == survivor.pk
