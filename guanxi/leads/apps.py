from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "guanxi.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.leads import permissions
        from guanxi.leads.models import Lead
        from guanxi.leads.services import NOTIFY_ASSIGNED, NOTIFY_ASSIGNED_LABEL, lead_restore
        from guanxi.leads.timeline_sources import lead_conversion_events
        from guanxi.notifications.kinds import register_notification_kind
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope

        permissions.register()
        register_notification_kind(NOTIFY_ASSIGNED, NOTIFY_ASSIGNED_LABEL)
        # Owned leads follow the usual owner/team scope; selectors.lead_list adds
        # the unowned (pool) leads of the actor's team for viewing (docs/leads.md).
        register_scope(Lead, owner_path="owner", team_path="team", deleted_paths=("deleted_at",))
        register_recycle_bin_type(model=Lead, label=_("Leads"), restore=lead_restore)
        register_timeline_source("leads.conversions", lead_conversion_events)
        register_merge_handler(
            rows_mover(Lead, "converted_customer", touch_updated_at=True), name="leads.lead"
        )
