"""Platform reads: audit history, jobs, the recycle bin."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import QuerySet

from guanxi.accounts.permissions import VIEW_AUDIT
from guanxi.platform.exceptions import NotFound
from guanxi.platform.models import AuditEntry, Job
from guanxi.platform.permissions import has_permission
from guanxi.platform.recycle_bin import recycle_bin_types
from guanxi.platform.scoping import is_in_scope, scoped


def audit_list_for_object(*, actor: Any, instance: models.Model) -> QuerySet[AuditEntry]:
    """A record's history, for anyone who can see the record."""
    if not is_in_scope(instance, actor=actor):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).select_related("actor")


def audit_list(*, actor: Any) -> QuerySet[AuditEntry]:
    if not has_permission(actor, VIEW_AUDIT):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor")


def job_list(*, actor: Any) -> QuerySet[Job]:
    if actor is None or not actor.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(created_by=actor)


def job_get(*, actor: Any, job_id: Any) -> Job:
    """A job is visible to the user who started it."""
    try:
        job_uuid = uuid.UUID(str(job_id))
    except ValueError as error:
        raise NotFound("job") from error
    job = job_list(actor=actor).filter(pk=job_uuid).first()
    if job is None:
        raise NotFound("job")
    return job


def recycle_bin_list(*, actor: Any, type_key: str | None = None) -> list[tuple[Any, QuerySet]]:
    """[(type, deleted rows in the actor's delete scope)] per registered record type."""
    result = []
    for entry in recycle_bin_types():
        if type_key and entry.key != type_key:
            continue
        qs = scoped(
            entry.model._default_manager.all(), actor=actor, action="delete", include_deleted=True
        ).filter(deleted_at__isnull=False)
        result.append((entry, qs.select_related("deleted_by").order_by("-deleted_at", "-pk")))
    return result
