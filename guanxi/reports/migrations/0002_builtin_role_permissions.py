"""Give the built-in sales roles the sales-report permission (installations that exist).

Not through accounts.migration_helpers.grant_builtin_permissions: that reads
accounts.builtin_roles, which lists this app's code only once the lead adds it.
"""

from django.db import migrations

CODE = "reports.view_sales_reports"
ROLES = ("manager", "sales")


def grant(apps, schema_editor):
    role_model = apps.get_model("accounts", "Role")
    for role in role_model.objects.filter(code__in=ROLES, is_builtin=True):
        current = list(role.permissions or [])
        if "*" in current or CODE in current:
            continue
        role.permissions = [*current, CODE]
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
