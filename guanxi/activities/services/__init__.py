"""Task, meeting and calendar feed writes (STYLE.md rule 2)."""

from guanxi.activities.services.feeds import (
    calendar_feed_token_regenerate,
    calendar_feed_token_revoke,
    calendar_feed_token_used,
    token_hash,
)
from guanxi.activities.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_delete,
    meeting_follow_up_tasks_create,
    meeting_minutes_record,
    meeting_restore,
    meeting_update,
)
from guanxi.activities.services.tasks import (
    INVALID_REMINDER,
    INVALID_TIME,
    INVALID_WORKING_DAYS,
    REMIND_CHOICES,
    TASK_NOT_FOUND,
    TITLE_REQUIRED,
    UNKNOWN_ASSIGNEE,
    UNKNOWN_CUSTOMER,
    UNKNOWN_FIELD,
    task_create,
    task_delete,
    task_done,
    task_due_at,
    task_reminders_send,
    task_restore,
    task_update,
)

# The working-day helpers lived here before activities.workdays; old importers keep working.
from guanxi.activities.workdays import (
    MAX_WORKING_DAYS,
    is_working_day,
    next_working_day,
    working_days_after,
)

__all__ = [
    "INVALID_REMINDER",
    "INVALID_TIME",
    "INVALID_WORKING_DAYS",
    "MAX_WORKING_DAYS",
    "REMIND_CHOICES",
    "TASK_NOT_FOUND",
    "TITLE_REQUIRED",
    "UNKNOWN_ASSIGNEE",
    "UNKNOWN_CUSTOMER",
    "UNKNOWN_FIELD",
    "calendar_feed_token_regenerate",
    "calendar_feed_token_revoke",
    "calendar_feed_token_used",
    "is_working_day",
    "meeting_cancel",
    "meeting_create",
    "meeting_delete",
    "meeting_follow_up_tasks_create",
    "meeting_minutes_record",
    "meeting_restore",
    "meeting_update",
    "next_working_day",
    "task_create",
    "task_delete",
    "task_done",
    "task_due_at",
    "task_reminders_send",
    "task_restore",
    "task_update",
    "token_hash",
    "working_days_after",
]
