"""Reads the import wizard needs besides the import services: which targets a person
may import into, and a few sample rows of an uploaded file.

Adapters do not (yet) say which permission creating their records takes or what
they are called on screen; an adapter may declare `permission` and `label`
attributes, otherwise the defaults below apply, and a target nobody described is
offered to administrators ("*") only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from guanxi.platform.imports import targets as target_registry
from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.services import imports_dir
from guanxi.platform.permissions import ALL_PERMISSIONS, has_permission

TARGET_PERMISSIONS = {
    "customers": "customers.add_customer",
    "contacts": "customers.add_contact",
    "interactions": "customers.add_interaction",
    "tags": "customers.manage_tag",
}
TARGET_LABELS = {
    "customers": _("Customers"),
    "contacts": _("Contacts"),
    "interactions": _("Follow-ups"),
    "tags": _("Tags"),
}
TARGET_ORDER = ["customers", "contacts", "interactions", "tags"]
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class TargetChoice:
    key: str
    label: Any
    permission: str


def _registered_targets() -> dict[str, Any]:
    registered = getattr(target_registry, "import_targets", None)
    if callable(registered):  # a public listing, once the registry has one
        return dict(registered())
    if not target_registry._is_discovered:
        autodiscover_modules("imports")
        target_registry._is_discovered = True
    return dict(target_registry._targets)


def import_targets_for(actor: Any) -> list[TargetChoice]:
    """The registered targets the actor may import into, in a stable order."""
    choices = []
    for key, adapter in _registered_targets().items():
        permission = (
            getattr(adapter, "permission", None) or TARGET_PERMISSIONS.get(key) or ALL_PERMISSIONS
        )
        if has_permission(actor, permission):
            label = getattr(adapter, "label", None) or TARGET_LABELS.get(key) or key
            choices.append(TargetChoice(key=key, label=label, permission=permission))
    order = {key: index for index, key in enumerate(TARGET_ORDER)}
    return sorted(choices, key=lambda choice: (order.get(choice.key, len(order)), choice.key))


def import_target_allowed(actor: Any, target: str) -> bool:
    return any(choice.key == target for choice in import_targets_for(actor))


def import_upload_path(stored: str) -> Path | None:
    """A stored upload's path if it really lies in the uploads folder (else None)."""
    folder = (imports_dir() / "uploads").resolve()
    path = Path(stored).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def import_file_sample(path: Path, *, rows: int = SAMPLE_ROWS) -> dict[str, list[str]]:
    """{header: [the first `rows` non-empty values]}; raises ImportFileError like open_table."""
    table = open_table(path)
    sample: dict[str, list[str]] = {header: [] for header in table.headers}
    for count, row in enumerate(table.rows()):
        if count >= rows * 4:
            break
        for header, cell in zip(table.headers, row.cells, strict=False):
            text = "" if cell is None else str(cell).strip()
            if text and len(sample[header]) < rows:
                sample[header].append(text[:80])
    return sample
