"""Give the built-in roles their task permissions on installations that predate the app.

Only adds codes (never removes what an admin granted or took away elsewhere);
a role that holds "*" needs nothing.
"""

from django.db import migrations


def grant(apps, schema_editor):
    from guanxi.accounts.builtin_roles import BUILTIN_ROLES

    Role = apps.get_model("accounts", "Role")
    for spec in BUILTIN_ROLES:
        wanted = [code for code in spec["permissions"] if code.startswith("activities.")]
        role = Role.objects.filter(code=spec["code"], is_builtin=True).first()
        if role is None or not wanted or "*" in (role.permissions or []):
            continue
        current = list(role.permissions or [])
        added = [code for code in wanted if code not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
