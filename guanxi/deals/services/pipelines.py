"""Pipeline and stage administration (deals.manage_pipeline).

Invariants kept here: exactly one default pipeline (a DB constraint too); every
pipeline keeps at least one open, one won and one lost stage, so any opportunity
can always be moved, won and lost; a stage's kind is fixed once created (its
opportunities' status follows the kind); a stage that still holds opportunities
(deleted ones included) can only be deleted by moving them to another stage of
the same pipeline and kind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.services._common import require_permission
from guanxi.deals.models import Opportunity, Pipeline, Stage, StageKind
from guanxi.deals.permissions import MANAGE_PIPELINE
from guanxi.deals.services._common import NAME_REQUIRED, parse_probability
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.versioning import ensure_version, lock_current

INVALID_INPUT = _("Please correct the errors below.")
UNKNOWN_KIND = _("Choose open, won or lost.")
LAST_OF_KIND = _("A pipeline needs at least one open, one won and one lost stage.")
STAGE_NOT_EMPTY = _(
    "This stage still holds %(count)s opportunities: choose a stage to move them to."
)
MOVE_TO_INVALID = _("Choose another stage of the same pipeline and kind.")
STAGE_ORDER_INVALID = _("List every stage of this pipeline exactly once.")
DEFAULT_INACTIVE = _("The default pipeline cannot be deactivated.")
NAME_TOO_LONG = _("At most 100 characters.")

# Stored in the company's first language, like migration 0002's default pipeline.
DEFAULT_PIPELINE_NAME = "销售流程"
DEFAULT_STAGES: list[tuple[str, int, str]] = [
    ("初步接洽", 10, StageKind.OPEN),
    ("需求确认", 30, StageKind.OPEN),
    ("方案报价", 50, StageKind.OPEN),
    ("谈判审批", 70, StageKind.OPEN),
    ("赢单", 100, StageKind.WON),
    ("输单", 0, StageKind.LOST),
]
PIPELINE_FIELDS = ["name", "is_default", "order", "is_active"]
STAGE_FIELDS = ["name", "order", "probability", "kind"]


def _name(value: Any, errors: dict[str, list[str]]) -> str:
    name = str(value or "").replace("\x00", "").strip()
    if not name:
        errors.setdefault("name", []).append(str(NAME_REQUIRED))
    elif len(name) > 100:
        errors.setdefault("name", []).append(str(NAME_TOO_LONG))
    return name


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)


def pipeline_ensure_default() -> Pipeline:
    """The default pipeline; created with the standard stages when there is no pipeline
    at all (a fresh test database, or an admin who removed everything)."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is not None:
        return pipeline
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().filter(is_active=True).first()
        if pipeline is not None:
            return pipeline
        pipeline = Pipeline.objects.create(name=DEFAULT_PIPELINE_NAME, is_default=True)
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, order=index, probability=probability, kind=kind)
            for index, (name, probability, kind) in enumerate(DEFAULT_STAGES)
        )
    return pipeline


@transaction.atomic
def pipeline_create(
    *,
    actor: Any,
    name: str,
    stages: list[tuple[str, int, str]] | None = None,
    is_default: bool = False,
) -> Pipeline:
    """A new pipeline with `stages` [(name, probability, kind)], or the standard ones."""
    require_permission(actor, MANAGE_PIPELINE)
    errors: dict[str, list[str]] = {}
    clean_name = _name(name, errors)
    stage_rows = stages if stages is not None else DEFAULT_STAGES
    cleaned: list[tuple[str, int, str]] = []
    for stage_name, probability, kind in stage_rows:
        stage_errors: dict[str, list[str]] = {}
        clean_stage = _name(stage_name, stage_errors)
        percent = parse_probability(probability, stage_errors)
        if kind not in StageKind.values:
            stage_errors.setdefault("kind", []).append(str(UNKNOWN_KIND))
        for messages in stage_errors.values():
            errors.setdefault("stages", []).extend(messages)
        cleaned.append((clean_stage, percent or 0, kind))
    if {kind for _n, _p, kind in cleaned} != set(StageKind.values):
        errors.setdefault("stages", []).append(str(LAST_OF_KIND))
    _raise(errors)
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    order = (Pipeline.objects.aggregate(top=Max("order"))["top"] or 0) + 1
    pipeline = Pipeline.objects.create(name=clean_name, is_default=is_default, order=order)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, name=stage_name, order=index, probability=percent, kind=kind)
        for index, (stage_name, percent, kind) in enumerate(cleaned)
    )
    audit_record(
        actor=actor,
        action="deals.pipeline.created",
        instance=pipeline,
        changes={"after": {**snapshot(pipeline, PIPELINE_FIELDS), "stages": cleaned}},
    )
    return pipeline


@transaction.atomic
def pipeline_update(
    *, actor: Any, pipeline: Pipeline, expected_version: int | None = None, **changes: Any
) -> Pipeline:
    """Rename, (de)activate, make default or move a pipeline in the list."""
    require_permission(actor, MANAGE_PIPELINE)
    current = lock_current(pipeline)
    ensure_version(current, expected_version, compare_fields=PIPELINE_FIELDS)
    before = snapshot(current, PIPELINE_FIELDS)
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        if field == "name":
            current.name = _name(value, errors)
        elif field in ("is_active", "is_default"):
            setattr(current, field, bool(value))
        elif field == "order":
            try:
                current.order = max(0, int(value))
            except (TypeError, ValueError):
                errors.setdefault("order", []).append(str(_("Enter a whole number.")))
        else:
            errors.setdefault(field, []).append(str(_("Unknown field.")))
    if current.is_default and not current.is_active:
        errors.setdefault("is_active", []).append(str(DEFAULT_INACTIVE))
    if before["is_default"] and not current.is_default:
        # Another pipeline becomes default by being made default, not by this one quitting.
        current.is_default = True
    _raise(errors)
    if current.is_default and not before["is_default"]:
        Pipeline.objects.filter(is_default=True).exclude(pk=current.pk).update(is_default=False)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="deals.pipeline.updated",
        instance=current,
        changes=diff(before, snapshot(current, PIPELINE_FIELDS)),
    )
    return current


def _stage_locked(stage: Stage) -> tuple[Pipeline, Stage]:
    """Lock the pipeline first (every stage write does), then re-read the stage."""
    pipeline = Pipeline.objects.select_for_update().get(pk=stage.pipeline_id)
    current = Stage.objects.filter(pk=stage.pk).first()
    if current is None:
        raise NotFound(str(_("This stage does not exist.")))
    return pipeline, current


def _touch(pipeline: Pipeline) -> None:
    """Stage edits bump the pipeline's version: open boards see the change."""
    pipeline.version += 1
    pipeline.save(update_fields=["version", "updated_at"])


@transaction.atomic
def stage_create(
    *,
    actor: Any,
    pipeline: Pipeline,
    name: str,
    probability: Any,
    kind: str = StageKind.OPEN,
) -> Stage:
    """Add a stage: an open one goes after the last open stage, won/lost ones at the end."""
    require_permission(actor, MANAGE_PIPELINE)
    locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    errors: dict[str, list[str]] = {}
    clean_name = _name(name, errors)
    percent = parse_probability(probability, errors)
    if kind not in StageKind.values:
        errors.setdefault("kind", []).append(str(UNKNOWN_KIND))
    _raise(errors)
    stages = list(locked.stages.order_by("order", "id"))
    if kind == StageKind.OPEN:
        open_ends = [i + 1 for i, item in enumerate(stages) if item.kind == StageKind.OPEN]
        insert_at = max(open_ends, default=0)
    else:
        insert_at = len(stages)
    stage = Stage(pipeline=locked, name=clean_name, probability=percent or 0, kind=kind)
    stages.insert(insert_at, stage)
    for index, item in enumerate(stages):
        item.order = index
    stage.save()
    Stage.objects.bulk_update([s for s in stages if s is not stage], ["order"])
    _touch(locked)
    audit_record(
        actor=actor,
        action="deals.stage.created",
        instance=stage,
        changes={"after": snapshot(stage, STAGE_FIELDS)},
    )
    return stage


@transaction.atomic
def stage_update(*, actor: Any, stage: Stage, **changes: Any) -> Stage:
    """Rename a stage or change its win probability (its kind stays)."""
    require_permission(actor, MANAGE_PIPELINE)
    pipeline, current = _stage_locked(stage)
    before = snapshot(current, STAGE_FIELDS)
    errors: dict[str, list[str]] = {}
    for field, value in changes.items():
        if field == "name":
            current.name = _name(value, errors)
        elif field == "probability":
            percent = parse_probability(value, errors)
            if percent is not None:
                current.probability = percent
        else:
            errors.setdefault(field, []).append(str(_("Unknown field.")))
    _raise(errors)
    current.save()
    _touch(pipeline)
    audit_record(
        actor=actor,
        action="deals.stage.updated",
        instance=current,
        changes=diff(before, snapshot(current, STAGE_FIELDS)),
    )
    return current


@transaction.atomic
def stage_reorder(*, actor: Any, pipeline: Pipeline, stage_ids: list[Any]) -> list[Stage]:
    """Put the pipeline's stages in the order given (every stage id exactly once)."""
    require_permission(actor, MANAGE_PIPELINE)
    locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
    stages = {s.pk: s for s in locked.stages.all()}
    try:
        wanted = [int(value) for value in stage_ids]
    except (TypeError, ValueError):
        wanted = []
    if sorted(wanted) != sorted(stages) or len(set(wanted)) != len(wanted):
        raise ValidationError(
            str(STAGE_ORDER_INVALID), field_errors={"stages": [str(STAGE_ORDER_INVALID)]}
        )
    before = [s.pk for s in sorted(stages.values(), key=lambda s: (s.order, s.pk))]
    ordered = [stages[pk] for pk in wanted]
    for index, stage in enumerate(ordered):
        stage.order = index
    Stage.objects.bulk_update(ordered, ["order"])
    _touch(locked)
    audit_record(
        actor=actor,
        action="deals.pipeline.stages_reordered",
        instance=locked,
        changes={"stages": [before, wanted]},
    )
    return ordered


@transaction.atomic
def stage_delete(*, actor: Any, stage: Stage, move_to: Stage | None = None) -> None:
    """Delete a stage; its opportunities (live and deleted) move to `move_to` first.

    Stage history keeps the stage's name (its foreign key becomes NULL).
    """
    require_permission(actor, MANAGE_PIPELINE)
    pipeline, current = _stage_locked(stage)
    siblings = list(pipeline.stages.exclude(pk=current.pk))
    if not any(s.kind == current.kind for s in siblings):
        raise ValidationError(str(LAST_OF_KIND), field_errors={"stage": [str(LAST_OF_KIND)]})
    held = Opportunity.objects.filter(stage=current)
    count = held.count()
    if count:
        target = next((s for s in siblings if move_to is not None and s.pk == move_to.pk), None)
        if target is None or target.kind != current.kind:
            message = (
                str(STAGE_NOT_EMPTY) % {"count": count}
                if move_to is None
                else (str(MOVE_TO_INVALID))
            )
            raise ValidationError(message, field_errors={"move_to": [message]})
        # A new column: whoever holds the old version of a card must reload it.
        moved = held.update(stage=target, version=F("version") + 1, updated_at=timezone.now())
    else:
        moved = 0
    audit_record(
        actor=actor,
        action="deals.stage.deleted",
        instance=current,
        changes={
            "before": snapshot(current, STAGE_FIELDS),
            "moved_to": move_to.pk if move_to is not None and moved else None,
            "moved": moved,
        },
    )
    current.delete()
    for index, item in enumerate(sorted(siblings, key=lambda s: (s.order, s.pk))):
        item.order = index
    Stage.objects.bulk_update(siblings, ["order"])
    _touch(pipeline)


__all__ = [
    "pipeline_create",
    "pipeline_ensure_default",
    "pipeline_update",
    "stage_create",
    "stage_delete",
    "stage_reorder",
    "stage_update",
]
