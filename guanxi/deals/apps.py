from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "guanxi.deals"
    label = "deals"
    verbose_name = _("Opportunities")

    def ready(self) -> None:
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.deals import permissions
        from guanxi.deals.models import Opportunity
        from guanxi.deals.services import opportunity_restore
        from guanxi.deals.timeline_sources import opportunity_events
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope

        permissions.register()
        # Like customers: the opportunity's own owner and team decide who sees it.
        register_scope(
            Opportunity,
            owner_path="owner",
            team_path="team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_recycle_bin_type(
            model=Opportunity, label=_("Opportunities"), restore=opportunity_restore
        )
        register_timeline_source("deals.opportunities", opportunity_events)
        register_merge_handler(
            rows_mover(Opportunity, touch_updated_at=True), name="deals.opportunity"
        )
