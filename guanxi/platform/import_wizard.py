"""Reads the import wizard needs besides the import services: which targets a person
may import into (each adapter names its permission and label), and a few sample
rows of an uploaded file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guanxi.platform.imports.reading import open_table
from guanxi.platform.imports.services import imports_dir
from guanxi.platform.imports.targets import import_targets
from guanxi.platform.permissions import has_permission

TARGET_ORDER = ["customers", "contacts", "interactions", "tags"]
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class TargetChoice:
    key: str
    label: Any
    permission: str


def import_targets_for(actor: Any) -> list[TargetChoice]:
    """The registered targets the actor may import into, in a stable order."""
    choices = []
    for key, adapter in import_targets().items():
        if has_permission(actor, adapter.permission):
            choices.append(
                TargetChoice(key=key, label=adapter.label, permission=adapter.permission)
            )
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
