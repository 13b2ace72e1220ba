"""The scoring command and jobs refresh the dashboard tables after scoring."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from guanxi.analytics.models import DashboardRefresh, ScoreCell
from guanxi.analytics.tasks import scores_compute_task, scores_refresh_task
from guanxi.reports.tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_score_command_refreshes_the_dashboard_tables(org) -> None:
    make_customer(org.east_rep)
    out = StringIO()

    call_command("score", "--as-of", "2026-06-30", "--json", "--no-progress", stdout=out)

    result = json.loads(out.getvalue())
    assert result["dashboards"]["as_of"] == "2026-06-30"
    state = DashboardRefresh.objects.get(pk=1)
    assert state.anchor_month == 2026 * 12 + 5
    assert ScoreCell.objects.get().customers == 1


def test_nightly_and_hourly_jobs_refresh_too(org) -> None:
    make_customer(org.east_rep)
    scores_compute_task.call_local()
    first = DashboardRefresh.objects.get(pk=1).refreshed_at
    scores_refresh_task.call_local()
    assert DashboardRefresh.objects.get(pk=1).refreshed_at > first
