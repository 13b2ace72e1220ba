"""Jobs travel through the configured queue (SQLite file, or Redis in the Redis pass)
and record their progress and outcome in the Job table."""

from __future__ import annotations

import pytest

from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job
from guanxi.platform.services import job_cancel, job_start

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


def _count_to_ten(context: JobContext) -> dict:
    context.set_total(10)
    for _ in range(10):
        context.advance(1)
    return {"counted": 10}


def _explode(context: JobContext) -> dict:
    raise RuntimeError("boom")


register_job_handler("tests.count", _count_to_ten)
register_job_handler("tests.explode", _explode)


def test_job_runs_through_the_real_queue_and_reports_progress(org, real_queue):
    job = job_start(actor=org.east_rep, kind="tests.count", title="count")
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # nothing ran inline

    assert real_queue() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (10, 10, 100)
    assert job.result == {"counted": 10}


def test_a_failing_job_is_marked_failed_with_its_message(org, real_queue):
    job = job_start(actor=org.east_rep, kind="tests.explode", title="explode")
    real_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "boom" in job.message


def test_a_job_cancelled_before_it_starts_never_runs(org, real_queue):
    job = job_start(actor=org.east_rep, kind="tests.count", title="count")
    job_cancel(actor=org.east_rep, job=job)
    real_queue()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.done == 0
