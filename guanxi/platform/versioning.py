"""Optimistic concurrency: an edit names the version it read; a stale one is refused."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.platform.audit import snapshot
from guanxi.platform.exceptions import ConflictError

STALE_VERSION = _(
    "Someone else changed this record while you were editing it. "
    "Review their changes and apply yours again."
)

ModelT = TypeVar("ModelT", bound=models.Model)


def lock_current(instance: ModelT) -> ModelT:
    """Re-read the row under a write lock (SQLite: the IMMEDIATE transaction's lock)."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def ensure_version(
    current: Any, expected_version: int | None, *, compare_fields: Iterable[str] = ()
) -> None:
    """Raise ConflictError when `expected_version` is given and is not the stored one."""
    if expected_version is None:
        return
    try:
        is_stale = int(expected_version) != current.version
    except (TypeError, ValueError):
        is_stale = True  # "abc" from a form or an If-Match header is no version we issued
    if is_stale:
        raise ConflictError(
            str(STALE_VERSION),
            current_version=current.version,
            current_values=snapshot(current, compare_fields),
        )
