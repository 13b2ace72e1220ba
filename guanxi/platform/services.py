"""Platform writes: jobs and the recycle bin."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound
from guanxi.platform.models import Job
from guanxi.platform.recycle_bin import recycle_bin_type

JOB_NOT_FOUND = _("This job does not exist.")
RECORD_NOT_FOUND = _("This record does not exist or is not in the recycle bin.")


@transaction.atomic
def job_start(
    *, actor: Any, kind: str, title: str, params: dict[str, Any] | None = None, total: int = 0
) -> Job:
    """Create a queued Job and enqueue it once this transaction commits."""
    from guanxi.platform.tasks import job_run_task

    job = Job.objects.create(
        kind=kind,
        title=str(title)[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
        params=params or {},
        total=total,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: job_run_task(job_id))
    return job


@transaction.atomic
def job_cancel(*, actor: Any, job: Job) -> Job:
    """Ask a job to stop; a queued job is cancelled at once, a running one at its next step."""
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, is_cancel_requested=True
    )
    Job.objects.filter(pk=job.pk).update(is_cancel_requested=True)
    job.refresh_from_db()
    return job


def recycle_bin_restore(*, actor: Any, type_key: str, object_id: int) -> Any:
    """Restore one record through its app's restore service (which audits and scopes)."""
    entry = recycle_bin_type(type_key)
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        pk = None
    if entry is None or pk is None:
        raise NotFound(str(RECORD_NOT_FOUND))
    instance = entry.model._default_manager.filter(pk=pk, deleted_at__isnull=False).first()
    if instance is None:
        raise NotFound(str(RECORD_NOT_FOUND))
    return entry.restore(actor=actor, instance=instance)


__all__ = ["audit_record", "job_cancel", "job_start", "recycle_bin_restore"]
