"""Full-text indexes over customers' and contacts' search tokens (see platform.search).

SQLite: an FTS5 external-content table kept in step by triggers.
PostgreSQL: a stored tsvector column with a GIN index.
"""

from django.db import migrations

from guanxi.platform.search import fts_sql

TABLES = ["customers_customer", "customers_contact"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for statement in fts_sql(table, vendor)[0]:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        for statement in fts_sql(table, vendor)[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
