"""Writing and diffing audit entries. Only services call `audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from guanxi.platform.bulk import column_values, insert_rows
from guanxi.platform.models import AuditEntry
from guanxi.platform.request_context import current_origin


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value, for the before/after columns."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of `instance` (foreign keys as ids), for diffing."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = jsonable(getattr(instance, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def object_type_of(instance: models.Model) -> str:
    return instance._meta.label_lower


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model | None,
    changes: dict[str, Any] | None = None,
    object_type: str = "",
) -> AuditEntry:
    """Record one write (or one export). Call inside the service's transaction.

    Without an instance (an export of a list, say) pass `object_type` instead.
    """
    origin = current_origin()
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type_of(instance) if instance is not None else object_type,
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=str(instance)[:300] if instance is not None else "",
        changes=jsonable(changes or {}),
        ip_address=origin.ip,
        user_agent=origin.user_agent,
    )


class AuditRows:
    """Audit entries of one action as tuples of database values, for bulk writes.

    The entry's fixed columns (actor, action, object type, request origin, time)
    are prepared once through the model's fields; each row then only sets the
    object's id, its text and the JSON of its changes. `insert` writes them with
    platform.bulk.insert_rows (COPY on PostgreSQL). Used by audit_record_many and
    by writers that build rows without model instances (customer_create_rows).
    """

    def __init__(self, *, actor: Any, action: str, object_type: str) -> None:
        origin = current_origin()
        entry = AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            object_type=object_type,
            ip_address=origin.ip,
            user_agent=origin.user_agent,
        )
        values = column_values(AuditEntry, entry)  # also stamps created_at
        values.pop(AuditEntry._meta.pk.column)
        self.columns = list(values)
        self.template = list(values.values())
        self._id_at = self.columns.index("object_id")
        self._repr_at = self.columns.index("object_repr")
        self._changes_at = self.columns.index("changes")
        self._encoder = AuditEntry._meta.get_field("changes").encoder
        self._adapt_json = connection.ops.adapt_json_value

    def row(self, object_id: Any, object_repr: str, changes: dict[str, Any]) -> list[Any]:
        """One entry; `changes` must already be JSON-safe (see `jsonable`)."""
        values = list(self.template)
        values[self._id_at] = str(object_id)
        values[self._repr_at] = object_repr[:300]
        values[self._changes_at] = self._adapt_json(changes, self._encoder)
        return values

    def insert(self, rows: list[list[Any]]) -> None:
        insert_rows(AuditEntry._meta.db_table, self.columns, rows)


def audit_record_many(
    *, actor: Any, action: str, entries: Iterable[tuple[models.Model, dict[str, Any]]]
) -> None:
    """Record one entry per (instance, changes) in one INSERT: for bulk writes (imports)
    that would otherwise spend most of their time on single-row inserts. The instances
    must be of one model."""
    entries = list(entries)
    if not entries:
        return
    rows = AuditRows(actor=actor, action=action, object_type=object_type_of(entries[0][0]))
    rows.insert(
        [
            rows.row(instance.pk, str(instance), jsonable(changes or {}))
            for instance, changes in entries
        ]
    )
