"""Give the built-in roles their pool permissions on existing installations."""

from django.db import migrations

from guanxi.pool.permissions import BUILTIN_GRANTS


def grant(apps, schema_editor):
    # Same rule as accounts.migration_helpers.grant_builtin_permissions (only adds,
    # never removes; "*" needs nothing), from this app's own list so it does not
    # depend on when accounts.builtin_roles learns the pool codes.
    role_model = apps.get_model("accounts", "Role")
    for code, wanted in BUILTIN_GRANTS.items():
        role = role_model.objects.filter(code=code, is_builtin=True).first()
        if role is None or "*" in (role.permissions or []):
            continue
        current = list(role.permissions or [])
        added = [permission for permission in wanted if permission not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("pool", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
