"""Give the built-in roles their contract permissions (reps: contracts and payments;
managers: also approval and numbering; service: read)."""

from django.db import migrations

CODES = {
    "sales": [
        "contracts.view_contract",
        "contracts.add_contract",
        "contracts.change_contract",
        "contracts.delete_contract",
        "contracts.record_payment",
    ],
    "manager": [
        "contracts.view_contract",
        "contracts.add_contract",
        "contracts.change_contract",
        "contracts.delete_contract",
        "contracts.record_payment",
        "contracts.approve_contract",
        "contracts.manage_sequence",
    ],
    "service": ["contracts.view_contract"],
}


def grant(apps, schema_editor):
    role_model = apps.get_model("accounts", "Role")
    for code, wanted in CODES.items():
        role = role_model.objects.filter(code=code, is_builtin=True).first()
        if role is None or "*" in (role.permissions or []):
            continue
        current = list(role.permissions or [])
        added = [name for name in wanted if name not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
