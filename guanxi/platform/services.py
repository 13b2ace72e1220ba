"""Platform writes: jobs and the recycle bin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound, PermissionDenied
from guanxi.platform.models import Job
from guanxi.platform.permissions import has_permission
from guanxi.platform.recycle_bin import recycle_bin_type, recycle_bin_types

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


PURGE_NOT_ALLOWED = _("You do not have permission to purge the recycle bin.")
PURGE_BATCH = 500


def recycle_bin_purge(*, actor: Any, older_than_days: int | None = None) -> dict[str, int]:
    """Delete for good what has been in the recycle bin longer than the retention period.

    `actor=None` is the nightly job; people need platform.manage_recyclebin. Works in
    batches, each its own transaction with one audit entry naming the purged ids, so
    a purge of millions of rows never holds one long lock. Rows that point at a
    purged record (a customer's contacts and follow-ups) go with it.
    """
    from guanxi.accounts.permissions import MANAGE_RECYCLE_BIN

    if actor is not None and not has_permission(actor, MANAGE_RECYCLE_BIN):
        raise PermissionDenied(str(PURGE_NOT_ALLOWED))
    days = (
        settings.GUANXI["RECYCLE_BIN_RETENTION_DAYS"]
        if older_than_days is None
        else older_than_days
    )
    cutoff = timezone.now() - dt.timedelta(days=max(int(days), 0))
    purged: dict[str, int] = {}
    for entry in recycle_bin_types():
        manager = entry.model._default_manager
        count = 0
        while True:
            ids = list(
                manager.filter(deleted_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:PURGE_BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                manager.filter(pk__in=ids).delete()
                audit_record(
                    actor=actor,
                    action="platform.recycle_bin.purged",
                    instance=None,
                    object_type=entry.key,
                    changes={"ids": ids, "older_than_days": days},
                )
            count += len(ids)
        purged[entry.key] = count
    return purged


__all__ = ["audit_record", "job_cancel", "job_start", "recycle_bin_purge", "recycle_bin_restore"]
