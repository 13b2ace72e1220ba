"""Quotes may name the opportunity they belong to; the built-in roles get the quote
permissions (a fixed list: a migration must not follow later code changes)."""

import django.db.models.deletion
from django.db import migrations, models

QUOTE_ALL = ["sales.view_quote", "sales.add_quote", "sales.change_quote", "sales.delete_quote"]
GRANTS = {"manager": QUOTE_ALL, "sales": QUOTE_ALL, "service": ["sales.view_quote"]}


def grant(apps, schema_editor):
    role_model = apps.get_model("accounts", "Role")
    for code, wanted in GRANTS.items():
        role = role_model.objects.filter(code=code, is_builtin=True).first()
        if role is None or "*" in (role.permissions or []):
            continue
        current = list(role.permissions or [])
        added = [permission for permission in wanted if permission not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):

    dependencies = [
        ('deals', '0001_initial'),
        ('accounts', '0002_builtin_roles'),
        ('sales', '0003_quotes'),
    ]

    operations = [
        migrations.AddField(
            model_name='quote',
            name='opportunity',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='quotes', to='deals.opportunity', verbose_name='opportunity'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
