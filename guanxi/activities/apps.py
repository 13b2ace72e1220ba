from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from guanxi.activities import permissions
        from guanxi.activities.models import Task
        from guanxi.activities.services import task_restore
        from guanxi.activities.timeline_sources import task_events
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope

        permissions.register()
        # The registered paths are the assignee's; selectors.task_list widens them
        # with "created by me" and "on a customer I can see" (docs/decisions.md).
        register_scope(
            Task,
            owner_path="assignee",
            team_path="assignee__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_recycle_bin_type(model=Task, label=_("Tasks"), restore=task_restore)
        register_timeline_source("activities.tasks", task_events)
        register_merge_handler(rows_mover(Task, touch_updated_at=True), name="activities.task")
