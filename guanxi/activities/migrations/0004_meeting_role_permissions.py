"""Give the built-in roles that have tasks the meeting permissions too."""

from django.db import migrations

MEETING_ALL = [
    "activities.view_meeting",
    "activities.add_meeting",
    "activities.change_meeting",
    "activities.delete_meeting",
]
ROLES = ("manager", "sales", "service")


def grant(apps, schema_editor):
    role_model = apps.get_model("accounts", "Role")
    for role in role_model.objects.filter(code__in=ROLES, is_builtin=True):
        current = list(role.permissions or [])
        if "*" in current:
            continue
        added = [code for code in MEETING_ALL if code not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_meetings_feed_tokens_reminders")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
