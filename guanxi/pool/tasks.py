from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="2", minute="30"))
def pool_recycle_task() -> None:
    """Nightly: overdue records go back to the shared pool; owners of soon-due ones are warned."""
    from guanxi.pool.services import pool_recycle_run

    pool_recycle_run()
