from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def sales_month_refresh_task(actor_id: int | None, full: bool = False) -> None:
    """Refresh the sales aggregate for the user who asked (their permission is checked)."""
    from guanxi.accounts.models import User
    from guanxi.reports.services import sales_month_refresh

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if actor_id and actor is None:
        return
    sales_month_refresh(actor=actor, full=full)


@db_periodic_task(crontab(hour="2", minute="40"))
def sales_month_rebuild_task() -> None:
    """Nightly: rebuild the sales aggregate from every order (corrects what the
    incremental refreshes cannot see, e.g. a customer's owner changed in bulk SQL)."""
    from guanxi.reports.services import sales_month_rebuild

    sales_month_rebuild(actor=None)


@db_periodic_task(crontab(minute="*/15"))
def sales_month_refresh_periodic_task() -> None:
    """Every 15 minutes: re-aggregate the months touched since the last refresh."""
    from guanxi.reports.services import sales_month_refresh

    sales_month_refresh(actor=None)


@db_periodic_task(crontab(minute="5"))
def report_schedules_send_task() -> None:
    """Hourly: e-mail the built reports whose weekly/monthly send day has come (each
    period once: the schedule records the period it sent)."""
    from guanxi.reports.builder.services import schedules_send_due

    schedules_send_due()
