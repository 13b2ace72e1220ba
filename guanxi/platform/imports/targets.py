"""Import targets: one adapter per kind of record (customers, contacts, …).

An app registers its adapter from its `imports` module, which the engine
autodiscovers, so adding a target needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from guanxi.platform.exceptions import ApplicationError


class RowInvalid(Exception):
    """A row that cannot be imported; `messages` are fit for the user."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class BatchInvalid(Exception):
    """create_many refused some records: {position in the list: the error}."""

    def __init__(self, problems: dict[int, Exception]) -> None:
        super().__init__(f"{len(problems)} invalid records")
        self.problems = problems


class ImportAdapter(Protocol):
    target: str
    label: Any  # what the wizard calls the target (lazy translation)
    permission: str  # needed to import into it, checked before any file is read
    fields: dict[str, str]  # field -> label
    synonyms: dict[str, list[str]]  # field -> header texts that mean it

    def custom_labels(self) -> dict[str, str]: ...
    def prepare(self, *, actor: Any) -> Any: ...
    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]: ...
    def keys(self, record: dict[str, Any]) -> list[str]: ...
    def find_existing(self, record: dict[str, Any], context: Any) -> Any | None: ...
    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Any: ...
    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None: ...
    def undo_create(self, *, actor: Any, object_id: str) -> None: ...
    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None: ...


class FastImportAdapter(ImportAdapter, Protocol):
    """An adapter for large imports: an in-memory key index and bulk creation.

    The engine uses these instead of find_existing / create when an adapter has them.
    """

    def existing_keys(self, context: Any) -> Iterable[tuple[int, list[str]]]:
        """(id, dedupe keys) of every live record, streamed, to build the key index."""
        ...

    def fetch_many(self, ids: list[int], context: Any) -> dict[int, Any]: ...
    def fetch_keys(self, ids: list[int], context: Any) -> dict[int, list[str]]:
        """Optional: the dedupe keys of these live records, cheaper than fetch_many."""
        ...

    def instance_keys(self, instance: Any) -> list[str]: ...
    def create_many(self, *, actor: Any, records: list[dict[str, Any]], context: Any) -> list[Any]:
        """Create all or raise BatchInvalid naming the refused records; same checks as create.

        Returns the created records in order, as model instances or as bare ids
        (cheaper for large imports; the engine fetches an instance when it needs one).
        """
        ...


_targets: dict[str, ImportAdapter] = {}
_is_discovered = False


def register_import_target(target: str, adapter: ImportAdapter) -> None:
    _targets[target] = adapter


def _discover() -> None:
    global _is_discovered
    if not _is_discovered:
        autodiscover_modules("imports")
        _is_discovered = True


def import_targets() -> dict[str, ImportAdapter]:
    """Every registered target by name (apps register theirs from their imports module)."""
    _discover()
    return dict(_targets)


def import_target(target: str) -> ImportAdapter:
    _discover()
    try:
        return _targets[target]
    except KeyError:
        raise ApplicationError(
            _("Unknown import target “%(target)s”.") % {"target": target}
        ) from None
