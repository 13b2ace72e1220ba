from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guanxi.reports"
    label = "reports"
    verbose_name = _("Sales reports")

    def ready(self) -> None:
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope
        from guanxi.reports import permissions
        from guanxi.reports.builder.services import saved_report_restore
        from guanxi.reports.models import SalesMonth, SavedReport

        permissions.register()
        # The aggregate is keyed like orders are scoped: by the customer's owner/team.
        register_scope(SalesMonth, owner_path="scope_owner", team_path="team")
        register_scope(
            SavedReport, owner_path="owner", team_path="team", deleted_paths=("deleted_at",)
        )
        register_recycle_bin_type(
            model=SavedReport, label=_("Saved reports"), restore=saved_report_restore
        )
