from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_SCORES = "analytics.view_scores"
MANAGE_SCORING = "analytics.manage_scoring"

# What the built-in roles get (migration 0002 grants them to existing roles;
# accounts/builtin_roles.py should list them for new installations).
BUILTIN_GRANTS: dict[str, list[str]] = {
    "manager": [VIEW_SCORES],
    "sales": [VIEW_SCORES],
    "service": [VIEW_SCORES],
}


def register() -> None:
    register_permissions(
        _("Analytics"),
        {
            VIEW_SCORES: _("View customer scores, grades, churn warnings and CLV"),
            MANAGE_SCORING: _("Manage scoring settings, grade rules and playbooks"),
        },
    )
