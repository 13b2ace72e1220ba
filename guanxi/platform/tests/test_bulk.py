"""insert_many stores exactly what the ORM stores, and sets the new ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from guanxi.customers.models import Customer
from guanxi.platform.bulk import BULK_CACHE_KIB, BULK_WAL_PAGES, bulk_writes, insert_many
from guanxi.platform.models import AuditEntry


def test_values_round_trip_like_the_orm(org: Any) -> None:
    entries = [
        AuditEntry(
            actor=org.admin,
            action="test.bulk",
            object_type="customers.customer",
            object_id=str(n),
            changes={"after": {"name": f"客户{n}", "tags": [1, 2], "when": "2026-01-01"}},
            ip_address="" if n else "10.0.0.1",
        )
        for n in range(3)
    ]
    insert_many(AuditEntry, entries)
    assert all(entry.pk for entry in entries)
    stored = AuditEntry.objects.get(pk=entries[0].pk)
    assert stored.changes == entries[0].changes and stored.ip_address == "10.0.0.1"
    assert stored.actor == org.admin and stored.created_at is not None
    assert AuditEntry.objects.get(pk=entries[1].pk).ip_address is None  # blank IP → NULL

    customer = Customer(
        name="杭州云栖", phones=["+8613812345678"], custom_fields={"级别": "金牌"},
        birthday=dt.date(1990, 2, 3), owner=org.east_rep, team=org.east_rep.team,
    )  # fmt: skip
    insert_many(Customer, [customer])
    again = Customer.objects.get(pk=customer.pk)
    assert (again.phones, again.custom_fields, again.birthday, again.owner) == (
        ["+8613812345678"],
        {"级别": "金牌"},
        dt.date(1990, 2, 3),
        org.east_rep,
    )
    assert again.created_at is not None and again.version == customer.version


def test_bulk_writes_sets_and_restores_the_sqlite_connection(db: Any) -> None:
    """A long import checkpoints the log less often with a small page cache; the
    connection goes back to its settings afterwards, also when the import fails."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas")

    def pragma(name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return cursor.fetchone()[0]

    before = pragma("cache_size"), pragma("wal_autocheckpoint")
    with pytest.raises(RuntimeError), bulk_writes():
        assert pragma("cache_size") == -BULK_CACHE_KIB
        assert pragma("wal_autocheckpoint") == BULK_WAL_PAGES
        raise RuntimeError("import failed")
    assert (pragma("cache_size"), pragma("wal_autocheckpoint")) == before
