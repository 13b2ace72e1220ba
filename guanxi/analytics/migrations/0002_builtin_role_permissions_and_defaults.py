"""The built-in roles get `analytics.view_scores` (a fixed list: a migration must not
follow later code changes); default grade rules and lifecycle playbooks to edit."""

from decimal import Decimal

from django.db import migrations

GRANTS = {
    "manager": ["analytics.view_scores"],
    "sales": ["analytics.view_scores"],
    "service": ["analytics.view_scores"],
}

GRADE_RULES = [
    {"grade": "A", "position": 10, "min_spend": Decimal("50000")},
    {"grade": "B", "position": 20, "min_spend": Decimal("10000")},
    {"grade": "C", "position": 30, "min_frequency": 1},
    {"grade": "D", "position": 40},
]

PLAYBOOKS = [
    (
        "new",
        "Welcome call within 3 days: thank them, check delivery, name a contact.",
        "Welcome call",
        3,
    ),
    (
        "dormant",
        "Call to ask how things are going; offer a reason to order again.",
        "Re-activation call",
        5,
    ),
    ("lost", "Ask why they left; note the reason on the customer.", "Win-back call", 5),
]


def forwards(apps, schema_editor):
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
    grade_rule = apps.get_model("analytics", "GradeRule")
    if not grade_rule.objects.exists():
        for fields in GRADE_RULES:
            grade_rule.objects.create(**fields)
    playbook = apps.get_model("analytics", "StagePlaybook")
    for stage, instructions, title, days in PLAYBOOKS:
        playbook.objects.get_or_create(
            stage=stage,
            defaults={
                "instructions": instructions,
                "task_title": title,
                "due_in_working_days": days,
                "is_active": False,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial"), ("accounts", "0002_builtin_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
