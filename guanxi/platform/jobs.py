"""Jobs: long work run by a Huey worker with progress stored in the Job table.

An app registers a handler for a job kind; `job_start` (platform.services)
creates the Job row and enqueues `job_run_task` after commit. The handler gets
a JobContext to report progress; a cancel request stops it at the next report.
The database row is the single source of truth, so any web server can show
progress and any worker can run the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from guanxi.platform.models import Job

JobHandler = Callable[["JobContext"], dict[str, Any] | None]

_handlers: dict[str, JobHandler] = {}


class JobCancelled(Exception):
    pass


def register_job_handler(kind: str, handler: JobHandler) -> None:
    _handlers[kind] = handler


def job_handler(kind: str) -> JobHandler:
    return _handlers[kind]


@dataclass
class JobContext:
    job: Job

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    def set_total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total)
        self.job.total = total

    def advance(self, count: int = 1, *, message: str = "") -> None:
        """Add `count` to the done counter; raise JobCancelled if cancel was asked for."""
        updates: dict[str, Any] = {"done": F("done") + count}
        if message:
            updates["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**updates)
        self.job.done += count
        if Job.objects.filter(pk=self.job.pk, is_cancel_requested=True).exists():
            raise JobCancelled


def execute_job(job_id: str) -> None:
    """Run one job to completion, recording its outcome. Called by the Huey task."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already run, running elsewhere, or cancelled before it started
    job = Job.objects.get(pk=job_id)
    context = JobContext(job=job)
    try:
        result = job_handler(job.kind)(context) or {}
    except JobCancelled:
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now()
        )
        return
    except Exception as error:  # the job fails, the worker lives on
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            message=f"{type(error).__name__}: {error}"[:500],
        )
        raise
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result
    )
