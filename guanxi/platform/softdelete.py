"""Moving a record to the recycle bin and back: the one place that flips the flags.

Services lock the row, check scope, call these, then add their own side effects
and the audit entry. Both return False when there was nothing to do, so calling
twice is harmless.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from guanxi.platform.models import SoftDeleteModel

_FLAG_FIELDS = ["deleted_at", "deleted_by", "version", "updated_at"]


def mark_deleted(current: SoftDeleteModel, *, actor: Any, also_save: tuple[str, ...] = ()) -> bool:
    if current.deleted_at is not None:
        return False
    current.deleted_at = timezone.now()
    current.deleted_by = actor if getattr(actor, "pk", None) else None
    current.version += 1
    current.save(update_fields=[*_FLAG_FIELDS, *also_save])
    return True


def mark_restored(current: SoftDeleteModel) -> bool:
    if current.deleted_at is None:
        return False
    current.deleted_at = None
    current.deleted_by = None
    current.version += 1
    current.save(update_fields=_FLAG_FIELDS)
    return True
