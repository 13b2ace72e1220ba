"""The finder as a job through the real Huey queue: progress, result, cancel."""

from __future__ import annotations

import pytest

from guanxi.customers.duplicates import duplicates_find_start
from guanxi.customers.models import DuplicatePair
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.models import Job
from guanxi.platform.services import job_cancel

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


def test_finder_job_runs_through_the_real_queue(org, real_queue) -> None:
    CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    CustomerFactory(owner=org.east_rep, name="乙公司", phones=["13812345678"])
    CustomerFactory(owner=org.west_rep, name="丙公司", phones=["13812345678"])

    job = duplicates_find_start(actor=org.east_rep)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert real_queue() == 1

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (2, 2, 100)
    assert job.result == {"pairs": 1, "customers": 2, "contact_pairs": 0, "contacts": 0}
    assert DuplicatePair.objects.count() == 1


def test_a_cancelled_finder_job_writes_nothing(org, real_queue) -> None:
    CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    CustomerFactory(owner=org.east_rep, name="乙公司", phones=["13812345678"])
    job = duplicates_find_start(actor=org.east_rep)
    Job.objects.filter(pk=job.pk).update(is_cancel_requested=True)
    job_cancel(actor=org.east_rep, job=job)
    real_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert not DuplicatePair.objects.exists()
