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

from collections.abc import Sequence

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
