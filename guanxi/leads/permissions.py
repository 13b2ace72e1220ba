from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_LEAD = "leads.view_lead"
ADD_LEAD = "leads.add_lead"
CHANGE_LEAD = "leads.change_lead"
DELETE_LEAD = "leads.delete_lead"
CONVERT_LEAD = "leads.convert_lead"
MANAGE_ASSIGNMENT = "leads.manage_assignmentrule"
LEAD_ALL = [VIEW_LEAD, ADD_LEAD, CHANGE_LEAD, DELETE_LEAD, CONVERT_LEAD]

# What the built-in roles get (mirrored in accounts.builtin_roles once the lead adds
# it there; migration 0002 grants these to existing installations either way).
BUILTIN_GRANTS: dict[str, list[str]] = {
    "manager": [*LEAD_ALL, MANAGE_ASSIGNMENT],
    "sales": list(LEAD_ALL),
    "service": [VIEW_LEAD, ADD_LEAD],
}


def register() -> None:
    register_permissions(
        _("Leads"),
        {
            VIEW_LEAD: _("View leads"),
            ADD_LEAD: _("Create leads"),
            CHANGE_LEAD: _("Edit leads and log follow-ups"),
            DELETE_LEAD: _("Delete and restore leads"),
            CONVERT_LEAD: _("Convert leads into customers"),
            MANAGE_ASSIGNMENT: _("Manage lead assignment rules"),
        },
    )
