from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Tasks and meetings")

    def ready(self) -> None:
        from guanxi.activities import permissions
        from guanxi.activities.models import Meeting, Task
        from guanxi.activities.services import meeting_restore, task_restore
        from guanxi.activities.timeline_sources import meeting_events, task_events
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.notifications.kinds import register_notification_kind
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
        # Likewise for meetings, widened with "I attend" (docs/activities.md).
        register_scope(
            Meeting,
            owner_path="organiser",
            team_path="organiser__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_recycle_bin_type(model=Task, label=_("Tasks"), restore=task_restore)
        register_recycle_bin_type(model=Meeting, label=_("Meetings"), restore=meeting_restore)
        register_timeline_source("activities.tasks", task_events)
        register_timeline_source("activities.meetings", meeting_events)
        register_merge_handler(rows_mover(Task, touch_updated_at=True), name="activities.task")
        register_merge_handler(
            rows_mover(Meeting, touch_updated_at=True), name="activities.meeting"
        )
        register_notification_kind("activities.meeting_invited", _("Meeting invitations"))
        register_notification_kind("activities.meeting_cancelled", _("Meeting cancellations"))
        register_notification_kind("activities.task_reminder", _("Task reminders"))
