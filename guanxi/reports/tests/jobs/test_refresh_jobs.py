"""The refresh button and the periodic tasks go through the configured queue
(SQLite file, or Redis in the Redis pass)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.reports.models import ReportRefresh, SalesMonth
from guanxi.reports.tasks import sales_month_rebuild_task, sales_month_refresh_periodic_task
from guanxi.reports.tests.factories import make_customer, make_sale

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


def test_refresh_button_queues_a_job_that_a_worker_runs(org: Any, real_queue: Any) -> None:
    make_sale(customer=make_customer(org.east_rep), day=timezone.localdate())
    client = Client()
    client.force_login(org.admin)
    response = client.post("/reports/refresh/", {"next": "/reports/"})
    assert response.status_code == 302
    assert not ReportRefresh.objects.filter(refreshed_at__isnull=False).exists()
    assert real_queue() == 1
    assert ReportRefresh.objects.get().refreshed_at is not None
    assert SalesMonth.objects.count() == 1


def test_periodic_tasks_rebuild_and_refresh(org: Any, real_queue: Any) -> None:
    make_sale(customer=make_customer(org.west_rep), day=timezone.localdate())
    sales_month_rebuild_task.call_local()
    state = ReportRefresh.objects.get()
    assert state.rebuilt_at is not None
    sales_month_refresh_periodic_task.call_local()
    state.refresh_from_db()
    assert state.refreshed_at > state.rebuilt_at
    assert SalesMonth.objects.count() == 1
