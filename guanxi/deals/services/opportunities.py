"""Opportunity writes: create, edit, move between stages, win, lose, reopen, delete.

Invariants every service keeps (in one transaction with its audit entry):
 - `status` follows the kind of the stage: a move into a won stage wins the
   opportunity (`won_at`), into a lost stage loses it (a reason is required,
   `lost_at`), into an open stage (re)opens it;
 - the stage belongs to the opportunity's pipeline;
 - amount is a non-negative Decimal; an open opportunity cannot be created, edited
   or reopened with a close date in the past (an old open one can still move
   between open stages: the rep is working on it);
 - each stage change writes a StageHistory row with the seconds spent in the stage
   left, and bumps `version`; a stale `expected_version` is refused (ConflictError).
Reordering cards inside one column only changes `position`: no version check,
no version bump, no audit (it is how the rep lays out the board, not data).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from guanxi.customers.selectors import contact_get, customer_get
from guanxi.customers.services._common import (
    INVALID_DATE,
    INVALID_INPUT,
    clean_notes,
    coerce_date,
    full_clean_into,
    require_permission,
)
from guanxi.deals.models import (
    Opportunity,
    OpportunityStatus,
    Pipeline,
    Stage,
    StageHistory,
    StageKind,
)
from guanxi.deals.permissions import ADD_OPPORTUNITY, CHANGE_OPPORTUNITY, DELETE_OPPORTUNITY
from guanxi.deals.services._common import (
    ALREADY_OPEN,
    CLOSE_DATE_IN_PAST,
    CLOSE_DATE_REQUIRED,
    CURRENCY_INVALID,
    LOST_REASON_REQUIRED,
    NOT_OPEN,
    OPPORTUNITY_NOT_FOUND,
    STAGE_OTHER_PIPELINE,
    TITLE_REQUIRED,
    TOO_LONG,
    UNKNOWN_CONTACT,
    UNKNOWN_CUSTOMER,
    UNKNOWN_FIELD,
    UNKNOWN_LEAD,
    UNKNOWN_OWNER,
    UNKNOWN_PIPELINE,
    UNKNOWN_STAGE,
    UNKNOWN_TEAM,
    as_pk,
    parse_amount,
)
from guanxi.deals.services.pipelines import pipeline_ensure_default
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current

POSITION_STEP = 1024
EDITABLE_FIELDS = [
    "title",
    "customer",
    "contact",
    "amount",
    "currency",
    "expected_close_on",
    "owner",
    "team",
    "competitors",
    "next_step",
    "notes",
    "pipeline",
    "stage",
    "lost_reason",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "status", "won_at", "lost_at", "lead"]
TEXT_LIMITS = {"title": 200, "competitors": 300, "next_step": 300, "lost_reason": 300}


# --- lookups and checks ----------------------------------------------------------------


def _add(errors: dict[str, list[str]], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(str(message))


def _text(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    text = "" if value is None else str(value).replace("\x00", "").strip()
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        _add(errors, field, str(TOO_LONG) % {"max": limit})
    return text


def _user(value: Any, errors: dict[str, list[str]]) -> Any:
    pk = as_pk(value)
    user = get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        _add(errors, "owner", UNKNOWN_OWNER)
    return user


def _team(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import Team

    if value in (None, ""):
        return None
    pk = as_pk(value)
    team = Team.objects.filter(pk=pk).first() if pk else None
    if team is None:
        _add(errors, "team", UNKNOWN_TEAM)
    return team


def _customer(actor: Any, value: Any, errors: dict[str, list[str]]) -> Any:
    pk = as_pk(value)
    try:
        if pk is None:
            raise NotFound("customer")
        return customer_get(actor=actor, customer_id=pk)
    except NotFound:
        _add(errors, "customer", UNKNOWN_CUSTOMER)
        return None


def _contact(actor: Any, value: Any, customer: Any, errors: dict[str, list[str]]) -> Any:
    if value in (None, "", 0):
        return None
    pk = as_pk(value)
    try:
        contact = contact_get(actor=actor, contact_id=pk) if pk else None
    except NotFound:
        contact = None
    if contact is None or customer is None or contact.customer_id != customer.pk:
        _add(errors, "contact", UNKNOWN_CONTACT)
        return None
    return contact


def _pipeline(value: Any, errors: dict[str, list[str]]) -> Pipeline | None:
    if value in (None, ""):
        return pipeline_ensure_default()
    pk = as_pk(value)
    pipeline = Pipeline.objects.filter(pk=pk, is_active=True).first() if pk else None
    if pipeline is None:
        _add(errors, "pipeline", UNKNOWN_PIPELINE)
    return pipeline


def _stage(pipeline: Pipeline | None, value: Any, errors: dict[str, list[str]]) -> Stage | None:
    """The stage named by `value` (must be of `pipeline`), or the pipeline's first open one."""
    if pipeline is None:
        return None
    if value in (None, ""):
        return pipeline.stages.filter(kind=StageKind.OPEN).order_by("order", "id").first()
    pk = as_pk(value)
    stage = Stage.objects.filter(pk=pk).first() if pk else None
    if stage is None:
        _add(errors, "stage", UNKNOWN_STAGE)
        return None
    if stage.pipeline_id != pipeline.pk:
        _add(errors, "stage", STAGE_OTHER_PIPELINE)
        return None
    return stage


def _check_close_date(opportunity: Opportunity, errors: dict[str, list[str]]) -> None:
    if "expected_close_on" in errors:
        return
    if opportunity.expected_close_on is None:
        _add(errors, "expected_close_on", CLOSE_DATE_REQUIRED)
    elif (
        opportunity.status == OpportunityStatus.OPEN
        and opportunity.expected_close_on < timezone.localdate()
    ):
        _add(errors, "expected_close_on", CLOSE_DATE_IN_PAST)


def _date(value: Any, errors: dict[str, list[str]]) -> dt.date | None:
    try:
        return coerce_date(value)
    except (TypeError, ValueError):
        _add(errors, "expected_close_on", INVALID_DATE)
        return None


def _top_position(stage: Stage) -> int:
    lowest = Opportunity.objects.filter(stage=stage).aggregate(low=Min("position"))["low"]
    return 0 if lowest is None else lowest - POSITION_STEP


def _enter_stage(
    opportunity: Opportunity,
    stage: Stage,
    *,
    actor: Any,
    lost_reason: str,
    errors: dict[str, list[str]],
    now: dt.datetime,
) -> StageHistory | None:
    """Put the (unsaved) opportunity in `stage`, with the status, dates and reason its
    kind implies. Returns the history row to save, or None when the stage is unchanged."""
    previous = opportunity.stage if opportunity.stage_id else None
    if previous is not None and previous.pk == stage.pk:
        return None
    opportunity.stage = stage
    if stage.kind == StageKind.WON:
        opportunity.status = OpportunityStatus.WON
        opportunity.won_at = now
        opportunity.lost_at = None
        opportunity.lost_reason = ""
    elif stage.kind == StageKind.LOST:
        reason = _text(lost_reason, "lost_reason", errors)
        if not reason and "lost_reason" not in errors:
            _add(errors, "lost_reason", LOST_REASON_REQUIRED)
        opportunity.status = OpportunityStatus.LOST
        opportunity.lost_at = now
        opportunity.won_at = None
        opportunity.lost_reason = reason
    else:
        was_closed = opportunity.status != OpportunityStatus.OPEN
        opportunity.status = OpportunityStatus.OPEN
        opportunity.won_at = opportunity.lost_at = None
        opportunity.lost_reason = ""
        if was_closed and previous is not None:
            _check_close_date(opportunity, errors)
    seconds = 0
    if previous is not None and opportunity.stage_entered_at:
        seconds = max(0, int((now - opportunity.stage_entered_at).total_seconds()))
    opportunity.stage_entered_at = now
    return StageHistory(
        opportunity=opportunity,
        from_stage=previous,
        from_stage_name=previous.name if previous else "",
        to_stage=stage,
        to_stage_name=stage.name,
        changed_at=now,
        changed_by=actor if getattr(actor, "pk", None) else None,
        seconds_in_previous=seconds,
    )


def _snapshot(opportunity: Opportunity) -> dict[str, Any]:
    return snapshot(opportunity, AUDIT_FIELDS)


def _locked_live(opportunity: Opportunity) -> Opportunity:
    current = lock_current(opportunity)
    if current.deleted_at is not None:
        raise NotFound(str(OPPORTUNITY_NOT_FOUND))
    return current


# --- create / update -------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *,
    actor: Any,
    customer: Any,
    title: str,
    amount: Any,
    expected_close_on: Any,
    owner: Any = None,
    pipeline: Any = None,
    stage: Any = None,
    contact: Any = None,
    lead: Any = None,
    **fields: Any,
) -> Opportunity:
    """Create an opportunity for a customer the actor can see.

    The owner defaults to the actor and the team to the owner's team; the pipeline
    to the default one and the stage to its first open stage. Extra `fields`:
    currency, team, competitors, next_step, notes, lost_reason (for a lost stage).
    Writes the first StageHistory row. Any invalid value: ValidationError with
    every field error, nothing written.
    """
    require_permission(actor, ADD_OPPORTUNITY)
    errors: dict[str, list[str]] = {}
    opportunity = Opportunity(created_by=actor if getattr(actor, "pk", None) else None)
    opportunity.title = _text(title, "title", errors)
    if not opportunity.title and "title" not in errors:
        _add(errors, "title", TITLE_REQUIRED)
    found_customer = _customer(actor, customer, errors)
    opportunity.customer = found_customer
    opportunity.contact = _contact(actor, contact, found_customer, errors)
    opportunity.amount = parse_amount(amount, errors)
    opportunity.expected_close_on = _date(expected_close_on, errors)
    opportunity.owner = _user(actor if owner is None else owner, errors)
    if "team" in fields:
        opportunity.team = _team(fields.pop("team"), errors)
    elif opportunity.owner is not None:
        opportunity.team = opportunity.owner.team
    found_pipeline = _pipeline(pipeline, errors)
    found_stage = _stage(found_pipeline, stage, errors)
    if found_pipeline is not None:
        opportunity.pipeline = found_pipeline
    lost_reason = fields.pop("lost_reason", "")
    _apply_plain(opportunity, fields, errors)
    _link_lead(opportunity, actor, lead, errors)
    now = timezone.now()
    history = None
    if found_stage is not None:
        history = _enter_stage(
            opportunity, found_stage, actor=actor, lost_reason=lost_reason, errors=errors, now=now
        )
        opportunity.position = _top_position(found_stage)
    _check_close_date(opportunity, errors)
    _validate(opportunity, errors)
    opportunity.save()
    if history is not None:
        history.opportunity = opportunity
        history.save()
    audit_record(
        actor=actor,
        action="deals.opportunity.created",
        instance=opportunity,
        changes={"after": _snapshot(opportunity)},
    )
    return opportunity


def _apply_plain(opportunity: Opportunity, fields: dict[str, Any], errors: dict) -> None:
    for name, value in fields.items():
        if name in ("competitors", "next_step", "title"):
            setattr(opportunity, name, _text(value, name, errors))
        elif name == "notes":
            opportunity.notes = clean_notes(value, errors)
        elif name == "currency":
            code = str(value or "CNY").strip().upper()
            if len(code) != 3 or not (code.isascii() and code.isalpha()):
                _add(errors, "currency", CURRENCY_INVALID)
            opportunity.currency = code
        else:
            _add(errors, name, UNKNOWN_FIELD)


def _link_lead(opportunity: Opportunity, actor: Any, lead: Any, errors: dict) -> None:
    """Remember the lead the opportunity was converted from: a Lead the caller found
    through the leads selectors, or an id the actor may see."""
    if lead in (None, ""):
        return
    if getattr(lead, "pk", None) and lead._meta.label_lower == "leads.lead":
        opportunity.lead = lead
        return
    from guanxi.leads.selectors import lead_get

    try:
        opportunity.lead = lead_get(actor=actor, lead_id=as_pk(lead))
    except NotFound:
        _add(errors, "lead", UNKNOWN_LEAD)


def _validate(opportunity: Opportunity, errors: dict[str, list[str]]) -> None:
    exclude = [
        name
        for name in ("customer", "contact", "owner", "team", "pipeline", "stage", "amount", "lead")
        if name in errors or getattr(opportunity, f"{name}_id", None) is None
    ]
    if "expected_close_on" in errors:
        exclude.append("expected_close_on")
    full_clean_into(opportunity, errors, exclude=exclude)
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)


@transaction.atomic
def opportunity_update(
    *, actor: Any, opportunity: Opportunity, expected_version: int | None, **changes: Any
) -> Opportunity:
    """Edit fields (the caller found `opportunity` through a selector). Changing the
    pipeline or stage here is a stage change (history row, status follows)."""
    require_permission(actor, CHANGE_OPPORTUNITY)
    current = _locked_live(opportunity)
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS)
    before = _snapshot(current)
    errors: dict[str, list[str]] = {}
    plain: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            _add(errors, name, UNKNOWN_FIELD)
        elif name == "title":
            current.title = _text(value, "title", errors)
            if not current.title and "title" not in errors:
                _add(errors, "title", TITLE_REQUIRED)
        elif name == "customer":
            if as_pk(value) != current.customer_id:
                current.customer = _customer(actor, value, errors)
        elif name == "amount":
            current.amount = parse_amount(value, errors)
        elif name == "expected_close_on":
            current.expected_close_on = _date(value, errors)
        elif name == "owner":
            if as_pk(value) != current.owner_id:
                current.owner = _user(value, errors)
                if "team" not in changes and current.owner is not None:
                    current.team = current.owner.team
        elif name == "team":
            current.team = _team(value, errors)
        elif name in ("pipeline", "stage", "contact", "lost_reason"):
            continue
        else:
            plain[name] = value
    _apply_plain(current, plain, errors)
    if "contact" in changes or "customer" in changes:
        contact = changes.get("contact", current.contact_id)
        current.contact = _contact(actor, contact, current.customer, errors)
    history = None
    if "pipeline" in changes or "stage" in changes:
        new_pipeline = (
            _pipeline(changes["pipeline"], errors) if "pipeline" in changes else current.pipeline
        )
        stage_value = changes.get("stage")
        if new_pipeline is not None and new_pipeline.pk == current.pipeline_id and not stage_value:
            stage_value = current.stage_id
        new_stage = _stage(new_pipeline, stage_value, errors)
        if new_pipeline is not None and new_stage is not None:
            current.pipeline = new_pipeline
            reason = changes.get("lost_reason", current.lost_reason)
            history = _enter_stage(
                current,
                new_stage,
                actor=actor,
                lost_reason=reason,
                errors=errors,
                now=timezone.now(),
            )
            if history is not None:
                current.position = _top_position(new_stage)
    elif "lost_reason" in changes and current.status == OpportunityStatus.LOST:
        current.lost_reason = _text(changes["lost_reason"], "lost_reason", errors)
        if not current.lost_reason and "lost_reason" not in errors:
            _add(errors, "lost_reason", LOST_REASON_REQUIRED)
    if "expected_close_on" in changes or history is not None:
        _check_close_date(current, errors)
    _validate(current, errors)
    current.version += 1
    current.save()
    if history is not None:
        history.save()
    audit_record(
        actor=actor,
        action="deals.opportunity.updated",
        instance=current,
        changes=diff(before, _snapshot(current)),
    )
    return current


# --- moving on the board ---------------------------------------------------------------


def _position_between(stage: Stage, after_id: Any, before_id: Any, moving_pk: int) -> int:
    """A position between the card above (`after_id`) and the card below (`before_id`)
    in `stage`; renumbers the column (steps of POSITION_STEP) when there is no gap."""
    column = Opportunity.objects.filter(stage=stage).exclude(pk=moving_pk)
    above = column.filter(pk=as_pk(after_id)).values_list("position", flat=True).first()
    below = column.filter(pk=as_pk(before_id)).values_list("position", flat=True).first()
    if above is None and below is None:
        if after_id in (None, "") and before_id in (None, ""):
            return _top_position(stage)
        highest = column.aggregate(high=Max("position"))["high"]
        return 0 if highest is None else highest + POSITION_STEP
    if above is None:
        return below - POSITION_STEP
    if below is None:
        return above + POSITION_STEP
    if below - above > 1:
        return (above + below) // 2
    return _renumber(column, after_id)


def _renumber(column: Any, after_id: Any) -> int:
    """Spread the column's cards POSITION_STEP apart; the position just after `after_id`."""
    rows = list(column.order_by("position", "-id").only("id", "position"))
    slot = 0
    for index, row in enumerate(rows):
        row.position = index * 2 * POSITION_STEP
        if row.pk == as_pk(after_id):
            slot = row.position + POSITION_STEP
    Opportunity.objects.bulk_update(rows, ["position"], batch_size=500)
    return slot


@transaction.atomic
def opportunity_stage_change(
    *,
    actor: Any,
    opportunity: Opportunity,
    stage: Any,
    expected_version: int | None,
    lost_reason: str = "",
    after_id: Any = None,
    before_id: Any = None,
) -> Opportunity:
    """Move a card to `stage` (a drag on the board), placed between `after_id` and
    `before_id` when given. Another column: version-checked, history row, status
    follows the stage's kind (lost needs `lost_reason`), version bumped, audited.
    Same column: only the card order changes."""
    require_permission(actor, CHANGE_OPPORTUNITY)
    current = _locked_live(opportunity)
    errors: dict[str, list[str]] = {}
    target = _stage(current.pipeline, stage if stage not in (None, "") else 0, errors)
    if target is None:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    if target.pk == current.stage_id:
        current.position = _position_between(target, after_id, before_id, current.pk)
        current.save(update_fields=["position"])
        return current
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS)
    before = _snapshot(current)
    history = _enter_stage(
        current, target, actor=actor, lost_reason=lost_reason, errors=errors, now=timezone.now()
    )
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    current.position = _position_between(target, after_id, before_id, current.pk)
    current.version += 1
    current.save()
    if history is not None:
        history.save()
    action = {
        OpportunityStatus.WON: "deals.opportunity.won",
        OpportunityStatus.LOST: "deals.opportunity.lost",
    }.get(current.status, "deals.opportunity.stage_changed")
    if before["status"] != OpportunityStatus.OPEN and current.status == OpportunityStatus.OPEN:
        action = "deals.opportunity.reopened"
    audit_record(
        actor=actor, action=action, instance=current, changes=diff(before, _snapshot(current))
    )
    return current


def _first_stage_of_kind(pipeline_id: int, kind: str) -> Stage:
    return Stage.objects.filter(pipeline_id=pipeline_id, kind=kind).order_by("order", "id").first()


def opportunity_win(
    *, actor: Any, opportunity: Opportunity, expected_version: int | None, stage: Any = None
) -> Opportunity:
    """Win an open opportunity: into `stage` or its pipeline's first won stage."""
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(str(NOT_OPEN), field_errors={"status": [str(NOT_OPEN)]})
    target = stage or _first_stage_of_kind(opportunity.pipeline_id, StageKind.WON)
    return opportunity_stage_change(
        actor=actor, opportunity=opportunity, stage=target, expected_version=expected_version
    )


def opportunity_lose(
    *,
    actor: Any,
    opportunity: Opportunity,
    expected_version: int | None,
    reason: str,
    stage: Any = None,
) -> Opportunity:
    """Lose an open opportunity with a reason: into `stage` or the first lost stage."""
    if opportunity.status != OpportunityStatus.OPEN:
        raise ValidationError(str(NOT_OPEN), field_errors={"status": [str(NOT_OPEN)]})
    target = stage or _first_stage_of_kind(opportunity.pipeline_id, StageKind.LOST)
    return opportunity_stage_change(
        actor=actor,
        opportunity=opportunity,
        stage=target,
        expected_version=expected_version,
        lost_reason=reason,
    )


@transaction.atomic
def opportunity_reopen(
    *,
    actor: Any,
    opportunity: Opportunity,
    expected_version: int | None,
    stage: Any = None,
    expected_close_on: Any = None,
) -> Opportunity:
    """Reopen a won or lost opportunity into `stage`, or the last open stage it was in
    (else the first). Its close date must be today or later: pass a new one."""
    require_permission(actor, CHANGE_OPPORTUNITY)
    current = _locked_live(opportunity)
    if current.status == OpportunityStatus.OPEN:
        raise ValidationError(str(ALREADY_OPEN), field_errors={"status": [str(ALREADY_OPEN)]})
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS)
    if stage in (None, ""):
        last_open = (
            StageHistory.objects.filter(
                opportunity=current,
                to_stage__kind=StageKind.OPEN,
                to_stage__pipeline=current.pipeline_id,
            )
            .order_by("-changed_at", "-id")
            .values_list("to_stage_id", flat=True)
            .first()
        )
        stage = last_open or _first_stage_of_kind(current.pipeline_id, StageKind.OPEN)
    errors: dict[str, list[str]] = {}
    target = _stage(current.pipeline, stage, errors)
    if target is not None and target.kind != StageKind.OPEN:
        _add(errors, "stage", UNKNOWN_STAGE)
    if expected_close_on not in (None, ""):
        current.expected_close_on = _date(expected_close_on, errors)
    if errors or target is None:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    before = _snapshot(current)
    history = _enter_stage(
        current, target, actor=actor, lost_reason="", errors=errors, now=timezone.now()
    )
    _validate(current, errors)
    current.position = _top_position(target)
    current.version += 1
    current.save()
    if history is not None:
        history.save()
    audit_record(
        actor=actor,
        action="deals.opportunity.reopened",
        instance=current,
        changes=diff(before, _snapshot(current)),
    )
    return current


# --- recycle bin -----------------------------------------------------------------------


@transaction.atomic
def opportunity_delete(*, actor: Any, opportunity: Opportunity) -> Opportunity:
    require_permission(actor, DELETE_OPPORTUNITY)
    current = lock_current(opportunity)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="deals.opportunity.deleted", instance=current)
    return current


@transaction.atomic
def opportunity_restore(*, actor: Any, instance: Opportunity) -> Opportunity:
    """Back from the recycle bin; one whose customer is deleted comes back with it."""
    from guanxi.deals.selectors import opportunity_is_restorable

    if not opportunity_is_restorable(instance, actor=actor):
        raise NotFound(str(OPPORTUNITY_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="deals.opportunity.restored", instance=current)
    return current
