"""Pipeline, stage and opportunity writes (STYLE.md rule 2)."""

from guanxi.deals.services.opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_lose,
    opportunity_reopen,
    opportunity_restore,
    opportunity_stage_change,
    opportunity_update,
    opportunity_win,
)
from guanxi.deals.services.pipelines import (
    pipeline_create,
    pipeline_ensure_default,
    pipeline_update,
    stage_create,
    stage_delete,
    stage_reorder,
    stage_update,
)

__all__ = [
    "opportunity_create",
    "opportunity_delete",
    "opportunity_lose",
    "opportunity_reopen",
    "opportunity_restore",
    "opportunity_stage_change",
    "opportunity_update",
    "opportunity_win",
    "pipeline_create",
    "pipeline_ensure_default",
    "pipeline_update",
    "stage_create",
    "stage_delete",
    "stage_reorder",
    "stage_update",
]
