"""What outlives the recycle bin's retention period is purged for good, by the
nightly job or by an admin; nothing else is touched."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.services import (
    contact_create,
    customer_create,
    customer_delete,
    interaction_create,
)
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.models import AuditEntry
from guanxi.platform.services import recycle_bin_purge
from guanxi.platform.tasks import recycle_bin_purge_task

pytestmark = pytest.mark.django_db


def _deleted_days_ago(org, name: str, days: int) -> Customer:
    customer = customer_create(actor=org.east_rep, name=name)
    contact_create(actor=org.east_rep, customer=customer, name=f"{name}的联系人")
    interaction_create(actor=org.east_rep, customer=customer, kind="call", content="电话")
    customer_delete(actor=org.east_rep, customer=customer)
    Customer.objects.filter(pk=customer.pk).update(
        deleted_at=timezone.now() - dt.timedelta(days=days)
    )
    return customer


def test_only_records_deleted_before_the_retention_period_are_purged(org, settings):
    settings.GUANXI = {**settings.GUANXI, "RECYCLE_BIN_RETENTION_DAYS": 90}
    old = _deleted_days_ago(org, "旧客户", days=91)
    recent = _deleted_days_ago(org, "新删除", days=10)
    live = customer_create(actor=org.east_rep, name="在用客户")

    purged = recycle_bin_purge(actor=org.admin)

    assert purged["customers.customer"] == 1
    assert set(Customer.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not Contact.objects.filter(customer_id=old.pk).exists()
    assert not Interaction.objects.filter(customer_id=old.pk).exists()
    entry = AuditEntry.objects.get(action="platform.recycle_bin.purged")
    assert entry.changes["ids"] == [old.pk] and entry.actor == org.admin


def test_the_nightly_task_purges_without_a_person(org):
    _deleted_days_ago(org, "旧客户", days=400)
    recycle_bin_purge_task.call_local()
    assert not Customer.objects.exists()


def test_a_sales_rep_may_not_purge(org):
    _deleted_days_ago(org, "旧客户", days=400)
    with pytest.raises(PermissionDenied):
        recycle_bin_purge(actor=org.east_rep)
    assert Customer.objects.count() == 1


def test_the_purge_button_is_for_admins(client, org):
    _deleted_days_ago(org, "旧客户", days=400)
    client.force_login(org.east_rep)
    assert (
        'data-testid="recycle-bin-purge"'
        not in client.get("/platform/recycle-bin/").content.decode()
    )
    client.post("/platform/recycle-bin/purge/")
    assert Customer.objects.count() == 1

    client.force_login(org.admin)
    assert (
        'data-testid="recycle-bin-purge"' in client.get("/platform/recycle-bin/").content.decode()
    )
    client.post("/platform/recycle-bin/purge/")
    assert not Customer.objects.exists()
