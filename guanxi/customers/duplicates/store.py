"""Reading records for the finder and writing its pairs.

One scan per table through a plain cursor (JSON lists split as text, not
decoded); pairs written with executemany (SQLite) or COPY (PostgreSQL), and a
re-run writes only the difference (docs/benchmarks.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from guanxi.customers.duplicates.finder import _ID_SHIFT
from guanxi.customers.models import Contact, Customer
from guanxi.platform.scoping import scoped

FETCH_SIZE = 10_000
INSERT_BATCH = 10_000
DELETE_BATCH = 900  # ids per DELETE … IN (…): under SQLite's old 999-parameter limit
SQLITE_WRITE_CACHE_KIB = -262_144  # 256 MB while writing pairs

# --- reading the database -------------------------------------------------------


def _live_customers(actor: Any) -> QuerySet[Customer]:
    """The customers a run looks at: the actor's scope, or every live one (CLI, actor None)."""
    if actor is None:
        return Customer.objects.filter(deleted_at__isnull=True)
    return scoped(Customer.objects.all(), actor=actor, action="view")


def _live_contacts(actor: Any) -> QuerySet[Contact]:
    if actor is None:
        return Contact.objects.filter(deleted_at__isnull=True, customer__deleted_at__isnull=True)
    return scoped(Contact.objects.all(), actor=actor, action="view")


def finder_customer_count(*, actor: Any) -> int:
    """How many customers a run will look at (the progress bar's total)."""
    return _live_customers(actor).count()


def _stream(qs: QuerySet[Any], *fields: str) -> Iterator[tuple[Any, ...]]:
    """One scan of `fields` through a plain cursor: no model instances and no JSON
    decoding (SQLite hands JSON columns over as text; `_values` splits them)."""
    sql, params = qs.order_by().values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_SIZE):
            yield from batch


# --- writing pairs --------------------------------------------------------------


def _insert_pairs(model: type[models.Model], columns: tuple[str, str], scored: list[Any]) -> None:
    """Bulk insert, leaving a pair that already exists (dismissed or merged) as it is.

    Plain SQL because bulk_create spends ~100 µs per row building model instances.
    SQLite: one prepared INSERT … ON CONFLICT DO NOTHING through executemany.
    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT.
    """
    if not scored:
        return
    table = model._meta.db_table
    first_column, second_column = columns
    found_at = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for first, second, score, codes in scored:
            yield (first, second, score, _reasons_json(codes), "open", found_at)

    names = f"{first_column}, {second_column}, score, reasons, status, found_at"
    # In (low id, high id) order the unique index grows at its end instead of taking
    # random page splits all over a million-entry tree.
    scored = sorted(scored)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS guanxi_pair_load "
                "(a bigint, b bigint, score smallint, reasons jsonb, status varchar(20), "
                "found_at timestamptz) ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                "COPY guanxi_pair_load (a, b, score, reasons, status, found_at) FROM STDIN"
            ) as copy:
                for row in rows():
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT a, b, score, reasons, status, found_at "
                f"FROM guanxi_pair_load ON CONFLICT ({first_column}, {second_column}) DO NOTHING"
            )
            cursor.execute("DROP TABLE guanxi_pair_load")
            return
        stamp = connection.ops.adapt_datetimefield_value(found_at)
        sql = (
            f"INSERT INTO {table} ({names}) VALUES (%s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT ({first_column}, {second_column}) DO NOTHING"
        )
        # A bigger page cache while the indexes take a million entries (the setting is
        # per connection; put back afterwards).
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {SQLITE_WRITE_CACHE_KIB}")
        try:
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append((*row[:5], stamp))
                if len(batch) >= INSERT_BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


_reasons_text: dict[tuple[str, ...], str] = {}


def _reasons_json(codes: list[str]) -> str:
    key = tuple(codes)
    text = _reasons_text.get(key)
    if text is None:
        text = _reasons_text[key] = json.dumps(codes)
    return text


def _sync_pairs(
    model: type[models.Model],
    columns: tuple[str, str],
    open_pairs: QuerySet[Any],
    scored: list[tuple[int, int, int, list[str]]],
) -> dict[str, int]:
    """Make the open pairs in `open_pairs` equal to `scored`, writing only the difference.

    A re-run over unchanged data writes nothing (the first run inserts everything):
    deleting and re-inserting a million pairs costs more than finding them. A pair
    keeps its `found_at` while it stays open. Returns how many rows each step touched.
    """
    table = model._meta.db_table
    first_field, second_field = (column.removesuffix("_id") for column in columns)
    existing: dict[int, tuple[int, int, str]] = {}
    for pk, first, second, score, reasons in _stream(
        open_pairs, "id", first_field, second_field, "score", "reasons"
    ):
        text = reasons if isinstance(reasons, str) else json.dumps(reasons)
        existing[(first << _ID_SHIFT) | second] = (pk, score, text)
    fresh: list[tuple[int, int, int, list[str]]] = []
    changed: list[tuple[int, str, int]] = []
    for row in scored:
        first, second, score, codes = row
        old = existing.pop((first << _ID_SHIFT) | second, None)
        if old is None:
            fresh.append(row)
        elif old[1] != score or old[2] != _reasons_json(codes):
            changed.append((score, _reasons_json(codes), old[0]))
    stale = sorted(pk for pk, _score, _text in existing.values())
    del existing
    is_postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(stale), DELETE_BATCH):
            ids = stale[start : start + DELETE_BATCH]
            if is_postgresql:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])
            else:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", ids)
        if changed:
            cast = "::jsonb" if is_postgresql else ""
            cursor.executemany(
                f"UPDATE {table} SET score = %s, reasons = %s{cast} WHERE id = %s", changed
            )
    _insert_pairs(model, columns, fresh)
    return {"deleted": len(stale), "updated": len(changed), "inserted": len(fresh)}
