from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

MANAGE_USERS = "accounts.manage_user"
MANAGE_TEAMS = "accounts.manage_team"
MANAGE_ROLES = "accounts.manage_role"
VIEW_AUDIT = "platform.view_auditentry"
MANAGE_RECYCLE_BIN = "platform.manage_recyclebin"


def register() -> None:
    register_permissions(
        _("Administration"),
        {
            MANAGE_USERS: _("Manage users"),
            MANAGE_TEAMS: _("Manage teams"),
            MANAGE_ROLES: _("Manage roles"),
            VIEW_AUDIT: _("View the audit log of all records"),
            MANAGE_RECYCLE_BIN: _("Purge the recycle bin"),
        },
    )
