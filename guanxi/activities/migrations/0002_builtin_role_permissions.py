"""Give the built-in roles their task permissions on installations that predate the app."""

from django.db import migrations

from guanxi.accounts.migration_helpers import grant_builtin_permissions


def grant(apps, schema_editor):
    grant_builtin_permissions(apps, "activities")


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
