from django.db import migrations

ROLES = [
    ("admin", "管理员", "all"),
    ("manager", "销售经理", "subtree"),
    ("sales", "销售", "own"),
    ("service", "客服", "all"),
]


def create_roles(apps, schema_editor):
    from guanxi.accounts.builtin_roles import BUILTIN_ROLES

    Role = apps.get_model("accounts", "Role")
    names = {code: name for code, name, _scope in ROLES}
    for spec in BUILTIN_ROLES:
        Role.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": names[spec["code"]],
                "data_scope": spec["data_scope"],
                "permissions": spec["permissions"],
                "is_builtin": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
