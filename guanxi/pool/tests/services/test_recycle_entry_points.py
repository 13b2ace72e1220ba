"""The nightly task and the `guanxi pool_recycle` command both run pool_recycle_run."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from guanxi.customers.models import Customer
from guanxi.pool.tasks import pool_recycle_task
from guanxi.pool.tests.factories import make_held_customer, make_rule

pytestmark = pytest.mark.django_db


def test_task_recycles(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=0)
    stale = make_held_customer(owner=org.east_rep, days_ago=40)
    pool_recycle_task.call_local()
    assert Customer.objects.get(pk=stale.pk).owner_id is None


def test_command_prints_a_summary(org: Any) -> None:
    make_rule(team=org.east, recycle_without_follow_up_days=30, warn_days_before=5)
    make_held_customer(owner=org.east_rep, days_ago=40)
    make_held_customer(owner=org.east_rep, days_ago=27)
    out = io.StringIO()
    call_command("pool_recycle", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "recycled" in text and "warned" in text and "notifications sent: 1" in text
    with pytest.raises(CommandError):
        call_command("pool_recycle", "--date", "yesterday", stdout=io.StringIO())
