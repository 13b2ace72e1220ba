"""Demo data for analytics: score the demo customers once, after the orders exist.

The generator calls `load_analytics(today=config.today)` at the end of `demo_create`
(after `_analyze`, so the aggregates read fresh statistics). Scores, grades and
stages are derived data: running the real scoring job gives the dashboards, the 360
panel and the churn list realistic figures without inventing any. The demo's
playbooks stay inactive (the first run would hand every owner a task per customer)
except the "new customer" welcome call, which fires from the next run on.
"""

from __future__ import annotations

import datetime
from typing import Any

from guanxi.analytics.dashboards.services import dashboard_tables_refresh
from guanxi.analytics.models import StagePlaybook
from guanxi.analytics.scoring import ScoringResult, scores_compute


def load_analytics(*, today: datetime.date | None = None, progress: Any = None) -> ScoringResult:
    StagePlaybook.objects.filter(stage="new").exclude(task_title="").update(is_active=True)
    result = scores_compute(today=today, progress=progress)
    dashboard_tables_refresh(today=today)
    return result
