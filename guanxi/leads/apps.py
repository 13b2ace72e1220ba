from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "guanxi.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from guanxi.leads import permissions
        from guanxi.leads.models import Lead
        from guanxi.platform.scoping import register_scope

        permissions.register()
        # Owned leads follow the usual owner/team scope; selectors.lead_list adds
        # the unowned (pool) leads of the actor's team (docs/leads.md).
        register_scope(Lead, owner_path="owner", team_path="team", deleted_paths=("deleted_at",))
