"""Multi-row INSERTs for bulk writes (imports): what bulk_create does, minus its per-value cost.

Django's bulk_create compiles every value through the SQL compiler (expression
checks, placeholders, converters); for an import of a million customers with
forty columns that is most of the time spent. `insert_many` prepares each value
with the field's own `get_db_prep_save` (so JSON, dates and foreign keys are
stored exactly as the ORM stores them), sends a few hundred rows per statement and
reads the new ids back with RETURNING (SQLite ≥ 3.35, PostgreSQL), in order, as
bulk_create itself relies on.

Only for plain models: no multi-table inheritance, no database-side defaults the
caller expects back other than the id.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from django.db import connection, models

# Field types whose database value is the Python value itself (for the values the
# services produce: strings, ints, bools, ids); everything else goes through
# get_db_prep_save (JSON, dates and times, decimals, IP addresses …).
_STORED_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)

MAX_PARAMETERS = 30_000  # under SQLite's 32,766 and PostgreSQL's 65,535
MAX_ROWS_PER_STATEMENT = 1_000


def insert_many(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """INSERT `instances` and set their primary keys."""
    if not instances:
        return
    meta = model._meta
    pk = meta.pk
    returning = isinstance(pk, models.AutoField)  # else the caller set the keys
    fields = [f for f in meta.local_concrete_fields if not (returning and f is pk)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // len(fields)))
    is_plain = [isinstance(f, _STORED_AS_IS) or bool(f.many_to_one) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(instances), per_statement):
            chunk = instances[start : start + per_statement]
            params: list[object] = []
            for instance in chunk:
                for field, plain in zip(fields, is_plain, strict=True):
                    if plain:
                        params.append(getattr(instance, field.attname))
                    else:
                        value = field.pre_save(instance, add=True)
                        params.append(field.get_db_prep_save(value, connection))
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                + ", ".join([row_sql] * len(chunk))
                + (f" RETURNING {quote(pk.column)}" if returning else "")
            )
            cursor.execute(sql, params)
            if returning:
                for instance, (new_id,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(instance, pk.attname, new_id)
            for instance in chunk:
                instance._state.adding = False
                instance._state.db = connection.alias


def column_values(model: type[models.Model], instance: models.Model) -> dict[str, object]:
    """{column: database value} of an instance, prepared as insert_many prepares it
    (for the rare rows a fast writer builds as a model instance after all)."""
    values: dict[str, object] = {}
    for field in model._meta.local_concrete_fields:
        if isinstance(field, _STORED_AS_IS) or field.many_to_one:
            values[field.column] = getattr(instance, field.attname)
        else:
            value = field.pre_save(instance, add=True)
            values[field.column] = field.get_db_prep_save(value, connection)
    return values


def insert_rows(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    returning: str | None = None,
) -> list[object]:
    """INSERT rows given as tuples of database values (already prepared, in `columns`
    order); with `returning`, give back that column of each row, in order.

    The fast writer for imports: no model instance, no per-value compiler work.
    PostgreSQL gets the rows through COPY (several times faster than INSERT for
    thousands of rows; with `returning`, the ids are taken from the column's
    sequence first); SQLite multi-row INSERT … RETURNING statements (≥ 3.35),
    ids in order.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids: list[object] = []
            if returning is not None:
                # The ids come from the column's own sequence, taken in one query,
                # so the rows can go through COPY too (a multi-row INSERT … RETURNING
                # spends most of its client time binding hundreds of thousands of
                # parameters into the SQL text).
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                    "FROM generate_series(1, %s) ORDER BY 1",
                    [table, returning, len(rows)],
                )
                ids = [value for (value,) in cursor.fetchall()]
                column_sql = f"{quote(returning)}, {column_sql}"
            raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                if returning is None:
                    for row in rows:
                        copy.write_row(row)
                else:
                    for new_id, row in zip(ids, rows, strict=True):
                        copy.write_row((new_id, *row))
            return ids
        per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // len(columns)))
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        tail = f" RETURNING {quote(returning)}" if returning else ""
        found: list[object] = []
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            sql = (
                f"INSERT INTO {quote(table)} ({column_sql}) VALUES "
                + ", ".join([row_sql] * len(chunk))
                + tail
            )
            cursor.execute(sql, params)
            if returning:
                found.extend(value for (value,) in cursor.fetchall())
        return found


# SQLite copies the write-ahead log back into the database file (a checkpoint, with
# an fsync) whenever it passes 1,000 pages, i.e. after nearly every commit of a bulk
# write, which touches pages all over the table's indexes; a checkpoint per 100 MB
# writes each hot page once for many batches instead of once per batch.
BULK_WAL_PAGES = 25_000
DEFAULT_WAL_PAGES = 1_000
# The page cache of the connection while it bulk-writes (KiB, SQLite's negative
# form): the pages' own cache (64 MB, settings) filled up with the rows the import
# scanned once; the index pages a batch writes fit in far less, and the operating
# system caches the file anyway. Part of keeping an import under 500 MB.
BULK_CACHE_KIB = 16_384


@contextlib.contextmanager
def bulk_writes() -> Iterator[None]:
    """Around a long run of bulk-write transactions (an import): on SQLite, checkpoint
    the write-ahead log every BULK_WAL_PAGES pages instead of every 1,000, and once at
    the end, with a smaller page cache. Commits stay where they are (and as durable: a
    commit in WAL mode never waited for the checkpoint's fsync)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
        cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {DEFAULT_WAL_PAGES}")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
