from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoolConfig(AppConfig):
    name = "guanxi.pool"
    label = "pool"
    verbose_name = _("Shared pool")

    def ready(self) -> None:
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.notifications.kinds import register_notification_kind
        from guanxi.pool import permissions
        from guanxi.pool.models import PoolEvent
        from guanxi.pool.timeline_sources import pool_events

        permissions.register()
        register_notification_kind(
            "pool.recycle_warning",
            _("Your customers or leads will soon go back to the shared pool"),
            default_email=True,
        )
        register_notification_kind("pool.assigned", _("A pool record was assigned to you"))
        register_timeline_source("pool.events", pool_events)
        # The merged-away customer's pool history follows it to the survivor.
        register_merge_handler(rows_mover(PoolEvent), name="pool.event")
