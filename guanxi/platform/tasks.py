from __future__ import annotations

from huey.contrib.djhuey import db_task

from guanxi.platform.jobs import execute_job


@db_task()
def job_run_task(job_id: str) -> None:
    execute_job(job_id)
