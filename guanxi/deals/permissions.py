from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_OPPORTUNITY = "deals.view_opportunity"
ADD_OPPORTUNITY = "deals.add_opportunity"
CHANGE_OPPORTUNITY = "deals.change_opportunity"
DELETE_OPPORTUNITY = "deals.delete_opportunity"
MANAGE_PIPELINE = "deals.manage_pipeline"
OPPORTUNITY_ALL = [VIEW_OPPORTUNITY, ADD_OPPORTUNITY, CHANGE_OPPORTUNITY, DELETE_OPPORTUNITY]

# What the built-in roles get (migration 0002 grants them; the lead mirrors them in
# accounts/builtin_roles.py for new installations).
BUILTIN_GRANTS: dict[str, list[str]] = {
    "manager": [*OPPORTUNITY_ALL, MANAGE_PIPELINE],
    "sales": OPPORTUNITY_ALL,
    "service": [VIEW_OPPORTUNITY],
}


def register() -> None:
    register_permissions(
        _("Opportunities"),
        {
            VIEW_OPPORTUNITY: _("View opportunities"),
            ADD_OPPORTUNITY: _("Create opportunities"),
            CHANGE_OPPORTUNITY: _("Edit opportunities and move them between stages"),
            DELETE_OPPORTUNITY: _("Delete and restore opportunities"),
            MANAGE_PIPELINE: _("Manage pipelines and stages"),
        },
    )
