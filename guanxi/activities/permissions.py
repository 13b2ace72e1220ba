from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_TASK = "activities.view_task"
ADD_TASK = "activities.add_task"
CHANGE_TASK = "activities.change_task"
DELETE_TASK = "activities.delete_task"
TASK_ALL = [VIEW_TASK, ADD_TASK, CHANGE_TASK, DELETE_TASK]


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
