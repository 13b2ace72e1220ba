"""The demo opportunity generator: valid rows in every status, history that adds up."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.tests.factories import CustomerFactory
from guanxi.deals.models import Opportunity, Pipeline, StageHistory
from guanxi.demo.deals import generate_deals

pytestmark = pytest.mark.django_db


def test_demo_deals(org: Any) -> None:
    for owner in (org.east_rep, org.east_rep, org.west_rep):
        CustomerFactory(owner=owner)
    users = [org.manager, org.east_rep, org.east_rep2, org.west_rep, org.service_agent]
    seen: list[int] = []
    counts = generate_deals(
        rng=random.Random(11),
        customers=1000,
        users=users,
        progress=lambda done, total: seen.append(done),
    )
    assert counts["opportunities"] == Opportunity.objects.count() == 150
    assert counts["stage_changes"] == StageHistory.objects.count()
    assert counts["pipelines"] == Pipeline.objects.count() == 2
    assert seen[-1] == 150
    assert set(Opportunity.objects.values_list("status", flat=True)) == {"open", "won", "lost"}
    owners = set(Opportunity.objects.values_list("owner_id", flat=True))
    assert owners <= {org.east_rep.pk, org.west_rep.pk}  # reps that own customers
    today = timezone.localdate()
    for opportunity in Opportunity.objects.select_related("stage", "customer")[:150]:
        assert opportunity.stage.pipeline_id == opportunity.pipeline_id
        assert opportunity.stage.kind == opportunity.status
        assert opportunity.customer.owner_id == opportunity.owner_id
        if opportunity.status == "open":
            assert opportunity.expected_close_on >= today and opportunity.won_at is None
        if opportunity.status == "lost":
            assert opportunity.lost_reason and opportunity.lost_at
        if opportunity.status == "won":
            assert opportunity.won_at
    firsts = StageHistory.objects.filter(from_stage__isnull=True)
    assert firsts.count() == 150
    assert not StageHistory.objects.filter(seconds_in_previous__lt=0).exists()
    assert not (
        StageHistory.objects.values("opportunity").annotate(n=Count("id")).filter(n=0).exists()
    )
    client = Client()
    client.force_login(org.manager)
    assert client.get(reverse("deals:opportunity_board")).status_code == 200
