"""Sales jobs (STYLE.md rule 9: thin, the service does the work)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


# Hourly rather than nightly: whatever the worker's clock or zone, a quote expires
# within the hour after local midnight. The query uses the (status, valid_until) index.
@db_periodic_task(crontab(minute="20"))
def quotes_expire_task() -> None:
    """Draft and sent quotes past their validity become expired."""
    from guanxi.sales.services import quotes_expire

    quotes_expire()
