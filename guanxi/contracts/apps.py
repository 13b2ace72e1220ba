from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "guanxi.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from guanxi.contracts import permissions, tasks  # noqa: F401 - registers the daily job
        from guanxi.contracts.models import Contract
        from guanxi.contracts.services import contract_restore
        from guanxi.contracts.timeline_sources import contract_events
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.notifications.kinds import register_notification_kind
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope

        permissions.register()
        # A contract is seen by its owner, their team (managers up the tree) and "all".
        register_scope(
            Contract,
            owner_path="owner",
            team_path="team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_recycle_bin_type(model=Contract, label=_("Contracts"), restore=contract_restore)
        register_timeline_source("contracts.contracts", contract_events)
        register_merge_handler(
            rows_mover(Contract, touch_updated_at=True), name="contracts.contract"
        )
        register_notification_kind("contracts.renewal_due", _("Contract ending soon (renewal)"))
        register_notification_kind(
            "contracts.approval_requested", _("Contract waiting for my approval")
        )
        register_notification_kind(
            "contracts.approval_decided", _("My contract approved or rejected")
        )
