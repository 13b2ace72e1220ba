from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_TASK = "activities.view_task"
ADD_TASK = "activities.add_task"
CHANGE_TASK = "activities.change_task"
DELETE_TASK = "activities.delete_task"
TASK_ALL = [VIEW_TASK, ADD_TASK, CHANGE_TASK, DELETE_TASK]

VIEW_MEETING = "activities.view_meeting"
ADD_MEETING = "activities.add_meeting"
CHANGE_MEETING = "activities.change_meeting"
DELETE_MEETING = "activities.delete_meeting"
MEETING_ALL = [VIEW_MEETING, ADD_MEETING, CHANGE_MEETING, DELETE_MEETING]

# The built-in roles that get the meeting permissions (every role that has tasks;
# accounts.builtin_roles should list MEETING_ALL beside TASKS, migration 0004 grants
# them to installations that already exist).
MEETING_ROLES = ("manager", "sales", "service")


def register() -> None:
    register_permissions(
        _("Tasks"),
        {
            VIEW_TASK: _("View tasks"),
            ADD_TASK: _("Create tasks"),
            CHANGE_TASK: _("Edit and complete tasks"),
            DELETE_TASK: _("Delete and restore tasks"),
        },
    )
    register_permissions(
        _("Meetings"),
        {
            VIEW_MEETING: _("View meetings"),
            ADD_MEETING: _("Create meetings"),
            CHANGE_MEETING: _("Edit meetings, record minutes"),
            DELETE_MEETING: _("Delete and restore meetings"),
        },
    )
