"""Analytics jobs (STYLE.md rule 9: thin, the service does the work)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="2", minute="15"))
def scores_compute_task() -> None:
    """Nightly full scoring: recency moves for everyone every day."""
    from guanxi.analytics.dashboards.services import dashboard_tables_refresh
    from guanxi.analytics.scoring import scores_compute

    scores_compute()
    dashboard_tables_refresh()


@db_periodic_task(crontab(hour="8-20", minute="45"))
def scores_refresh_task() -> None:
    """Hourly in office hours: rescore customers whose data changed since the last run."""
    from guanxi.analytics.dashboards.services import dashboard_tables_refresh
    from guanxi.analytics.scoring import scores_compute

    scores_compute(incremental=True)
    # Only the customers changed since the last refresh; the nightly run rewrites all.
    dashboard_tables_refresh(incremental=True)
