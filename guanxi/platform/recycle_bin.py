"""Registry of soft-deletable record types for the recycle bin.

Each app registers its types with the selector that lists deleted rows in the
actor's scope and the service that restores one. The recycle bin page and the
purge job only talk to this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise


@dataclass(frozen=True)
class RecycleBinType:
    key: str  # e.g. "customers.customer"
    label: str | Promise
    model: type[models.Model]
    restore: Callable[..., Any]  # restore(actor=..., instance=...)


_types: dict[str, RecycleBinType] = {}


def register_recycle_bin_type(
    *, model: type[models.Model], label: str | Promise, restore: Callable[..., Any]
) -> None:
    key = model._meta.label_lower
    _types[key] = RecycleBinType(key=key, label=label, model=model, restore=restore)


def recycle_bin_types() -> list[RecycleBinType]:
    return list(_types.values())


def recycle_bin_type(key: str) -> RecycleBinType | None:
    return _types.get(key)
