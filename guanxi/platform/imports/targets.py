"""Import targets: one adapter per kind of record (customers, contacts, …).

An app registers its adapter from its `imports` module, which the engine
autodiscovers, so adding a target needs no change here.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from guanxi.platform.exceptions import ApplicationError


class RowInvalid(Exception):
    """A row that cannot be imported; `messages` are fit for the user."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class ImportAdapter(Protocol):
    target: str
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


_targets: dict[str, ImportAdapter] = {}
_is_discovered = False


def register_import_target(target: str, adapter: ImportAdapter) -> None:
    _targets[target] = adapter


def import_target(target: str) -> ImportAdapter:
    global _is_discovered
    if not _is_discovered:
        autodiscover_modules("imports")
        _is_discovered = True
    try:
        return _targets[target]
    except KeyError:
        raise ApplicationError(
            _("Unknown import target “%(target)s”.") % {"target": target}
        ) from None
