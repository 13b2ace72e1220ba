"""Background jobs of tasks and meetings (STYLE.md rule 9: thin, the service does the work)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def task_reminders_send_task() -> None:
    """Every minute: send the task reminders that are due (each exactly once)."""
    from guanxi.activities.services import task_reminders_send

    task_reminders_send()
