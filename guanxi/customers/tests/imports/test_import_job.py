"""An import travels through the real job queue like any other job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from guanxi.customers.models import Customer
from guanxi.platform.imports.services import import_start
from guanxi.platform.models import ImportRunRow, Job

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


def test_the_import_runs_through_the_real_queue(
    org: Any, tmp_path: Path, real_queue: Any, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    path = tmp_path / "c.csv"
    path.write_text("客户名称,手机\n甲,13800000001\n乙,13800000002\n丙,13800000003\n")
    run = import_start(
        actor=org.admin, path=path, file_name="c.csv", target="customers", batch_size=2
    )
    job = Job.objects.get(pk=run.job_id)
    assert job.status == Job.Status.QUEUED
    assert real_queue() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert (job.done, job.total) == (3, 3)
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["丙", "乙", "甲"]
    assert ImportRunRow.objects.filter(run=run, outcome="created").count() == 3
