"""The demo lead generator: realistic, valid rows in every status, rules per group."""

from __future__ import annotations

import random
from typing import Any

import pytest

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.demo.leads import generate_leads
from guanxi.leads.models import AssignmentRule, Lead, LeadActivity
from guanxi.platform.phones import normalize_phone

pytestmark = pytest.mark.django_db


def test_demo_leads(org: Any) -> None:
    for _index in range(5):
        CustomerFactory(owner=org.east_rep)
    users = [org.manager, org.east_rep, org.east_rep2, org.west_rep, org.service_agent]
    seen: list[int] = []
    counts = generate_leads(
        rng=random.Random(7),
        customers=1000,
        users=users,
        progress=lambda done, total: seen.append(done),
    )
    assert counts["leads"] == Lead.objects.count() == 200
    assert counts["activities"] == LeadActivity.objects.count() > 0
    assert counts["rules"] == AssignmentRule.objects.count() == 2  # east and west
    assert seen[-1] == 200
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert statuses == {"new", "contacted", "qualified", "disqualified", "converted"}
    assert not Lead.objects.filter(status="disqualified", disqualify_reason="").exists()
    assert Lead.objects.filter(owner__isnull=True).exists()
    owners = set(Lead.objects.exclude(owner=None).values_list("owner_id", flat=True))
    assert owners <= {org.east_rep.pk, org.east_rep2.pk, org.west_rep.pk}
    for lead in Lead.objects.all()[:50]:
        assert normalize_phone(lead.mobile) == lead.mobile
        if lead.status == "converted":
            assert lead.converted_customer.owner == org.east_rep
        if lead.status != "new":
            assert lead.last_followed_at is not None
