from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="7", minute="10"))
def contracts_renewal_remind_task() -> None:
    """Daily: remind owners of contracts ending soon (notification + task), once each."""
    from guanxi.contracts.services import contracts_renewal_remind

    contracts_renewal_remind()
