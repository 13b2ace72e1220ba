from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from guanxi.platform.jobs import execute_job


@db_task()
def job_run_task(job_id: str) -> None:
    execute_job(job_id)


@db_periodic_task(crontab(hour="3", minute="30"))
def recycle_bin_purge_task() -> None:
    """Nightly: purge what has outlived the recycle bin's retention period."""
    from guanxi.platform.services import recycle_bin_purge

    recycle_bin_purge(actor=None)


@db_periodic_task(crontab(hour="3", minute="45"))
def generated_files_purge_task() -> None:
    """Nightly: delete export and import files older than FILE_RETENTION_DAYS."""
    from guanxi.platform.exports import generated_files_purge

    generated_files_purge()
