"""The default pipeline every installation starts with, and the built-in roles'
opportunity permissions.

Names are stored in the company's first language (Chinese), like the built-in
roles of accounts/0002; they are data an admin renames, not interface text.
"""

from django.db import migrations
from django.utils import timezone

DEFAULT_STAGES = [
    ("初步接洽", 10, "open"),
    ("需求确认", 30, "open"),
    ("方案报价", 50, "open"),
    ("谈判审批", 70, "open"),
    ("赢单", 100, "won"),
    ("输单", 0, "lost"),
]

# Fixed here (a migration must not follow later code changes); the same lists are in
# guanxi/deals/permissions.py BUILTIN_GRANTS.
GRANTS = {
    "manager": [
        "deals.view_opportunity",
        "deals.add_opportunity",
        "deals.change_opportunity",
        "deals.delete_opportunity",
        "deals.manage_pipeline",
    ],
    "sales": [
        "deals.view_opportunity",
        "deals.add_opportunity",
        "deals.change_opportunity",
        "deals.delete_opportunity",
    ],
    "service": ["deals.view_opportunity"],
}


def create_default_pipeline(apps, schema_editor):
    pipeline_model = apps.get_model("deals", "Pipeline")
    stage_model = apps.get_model("deals", "Stage")
    if pipeline_model.objects.exists():
        return
    now = timezone.now()
    pipeline = pipeline_model.objects.create(
        name="销售流程", is_default=True, order=0, created_at=now, updated_at=now
    )
    for order, (name, probability, kind) in enumerate(DEFAULT_STAGES):
        stage_model.objects.create(
            pipeline=pipeline,
            name=name,
            order=order,
            probability=probability,
            kind=kind,
            created_at=now,
            updated_at=now,
        )


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
    dependencies = [("deals", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [
        migrations.RunPython(create_default_pipeline, migrations.RunPython.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
