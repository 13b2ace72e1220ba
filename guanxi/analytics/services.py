"""Writes people start: win-backs from the churn list, playbook tasks on stage entry,
and the scoring settings and grade rules an admin edits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from guanxi.activities.services import task_create
from guanxi.analytics.models import (
    CustomerScore,
    GradeRule,
    ScoringSettings,
    StagePlaybook,
    WinBack,
)
from guanxi.analytics.permissions import MANAGE_SCORING, VIEW_SCORES
from guanxi.analytics.scoring import churn_reason_text, scoring_settings_get
from guanxi.customers.models import Customer, LifecycleStage
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import scoped

logger = logging.getLogger(__name__)

CUSTOMER_NOT_FOUND = _("Customer not found.")
NOT_WARNED = _("This customer has no churn warning.")
NO_OWNER = _("This customer has no owner to call them.")
WIN_BACK_TITLE = _("Win back %(name)s")
WIN_BACK_DUE_WORKING_DAYS = 2


@transaction.atomic
def win_back_start(*, actor: Any, customer_id: int) -> WinBack:
    """A task for the customer's owner now (due in 2 working days) with the warning's
    reasons in its notes, and a WinBack record for the outcome table."""
    if not has_permission(actor, VIEW_SCORES):
        raise PermissionDenied(str(CUSTOMER_NOT_FOUND))
    customer = scoped(Customer.objects.all(), actor=actor).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(str(CUSTOMER_NOT_FOUND))
    score = CustomerScore.objects.filter(customer=customer).first()
    if score is None or not score.is_at_risk:
        raise ValidationError(str(NOT_WARNED), field_errors={"customer": [str(NOT_WARNED)]})
    owner = customer.owner
    if owner is None:
        raise ValidationError(str(NO_OWNER), field_errors={"customer": [str(NO_OWNER)]})
    reasons = [churn_reason_text(reason) for reason in score.churn_reasons]
    task = task_create(
        actor=actor,
        title=str(WIN_BACK_TITLE) % {"name": customer.name},
        assignee=owner,
        customer=customer,
        notes="\n".join(reasons),
        due_in_working_days=WIN_BACK_DUE_WORKING_DAYS,
    )
    win_back = WinBack.objects.create(
        customer=customer,
        started_at=timezone.now(),
        started_by=actor,
        task_id_ref=task.pk,
        value_at_risk=score.value_at_risk,
        reasons=score.churn_reasons,
    )
    audit_record(
        actor=actor,
        action="analytics.win_back.started",
        instance=customer,
        changes={"task": task.pk, "value_at_risk": score.value_at_risk, "reasons": reasons},
    )
    return win_back


def playbook_tasks_create(*, entered: Iterable[tuple[int, str]]) -> int:
    """Tasks for the owners of customers that entered a stage with an active playbook.

    `entered` is (customer id, new stage). Runs after the scoring transaction, one
    task per customer through `task_create` as the owner (who sees the customer);
    a customer without an owner, or a failure for one customer, is logged and skipped.
    """
    playbooks = {
        playbook.stage: playbook
        for playbook in StagePlaybook.objects.filter(is_active=True).exclude(task_title="")
    }
    if not playbooks:
        return 0
    wanted = [(customer_id, stage) for customer_id, stage in entered if stage in playbooks]
    customers = Customer.objects.select_related("owner").in_bulk(
        [customer_id for customer_id, _stage in wanted]
    )
    created = 0
    for customer_id, stage in wanted:
        customer = customers.get(customer_id)
        if customer is None or customer.owner is None or not customer.owner.is_active:
            continue
        playbook = playbooks[stage]
        try:
            with transaction.atomic():
                task_create(
                    actor=customer.owner,
                    title=f"{playbook.task_title} · {customer.name}"[:200],
                    assignee=customer.owner,
                    customer=customer,
                    notes=playbook.instructions,
                    due_in_working_days=playbook.due_in_working_days,
                )
            created += 1
        except Exception:  # one customer's task must not stop the others
            logger.exception("playbook task for customer %s failed", customer_id)
    return created


SETTINGS_FIELDS = (
    "rfm_period_days",
    "annual_discount_rate",
    "new_customer_days",
    "loyal_min_purchases",
    "loyal_max_recency_days",
    "dormant_days",
    "lost_days",
    "churn_window_days",
    "churn_drop_percent",
    "churn_p_alive_threshold",
    "win_back_days",
)
LOST_BEFORE_DORMANT = _("Lost must come after dormant (more days).")
STAGE_LABELS = dict(LifecycleStage.choices)


@transaction.atomic
def scoring_settings_update(*, actor: Any, **changes: Any) -> ScoringSettings:
    if not has_permission(actor, MANAGE_SCORING):
        raise PermissionDenied(_gettext("You may not change the scoring settings."))
    current = scoring_settings_get()
    before = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    for name, value in changes.items():
        if name in SETTINGS_FIELDS:
            setattr(current, name, value)
    if current.lost_days <= current.dormant_days:
        raise ValidationError(
            str(LOST_BEFORE_DORMANT), field_errors={"lost_days": [str(LOST_BEFORE_DORMANT)]}
        )
    try:
        current.full_clean()
    except DjangoValidationError as error:
        raise ValidationError.from_django(error, _gettext("Check the settings.")) from error
    current.save()
    after = {name: getattr(current, name) for name in SETTINGS_FIELDS}
    audit_record(
        actor=actor,
        action="analytics.settings.updated",
        instance=current,
        changes={"before": before, "after": after},
    )
    return current


@transaction.atomic
def grade_rules_replace(*, actor: Any, rules: list[dict[str, Any]]) -> list[GradeRule]:
    """Replace all grade rules with `rules` (in order); the next run applies them."""
    if not has_permission(actor, MANAGE_SCORING):
        raise PermissionDenied(_gettext("You may not change the grade rules."))
    before = list(GradeRule.objects.values())
    GradeRule.objects.all().delete()
    created = []
    for position, fields in enumerate(rules, start=1):
        rule = GradeRule(position=position * 10, **fields)
        try:
            rule.full_clean()
        except DjangoValidationError as error:
            raise ValidationError.from_django(error, _gettext("Check the rules.")) from error
        rule.save()
        created.append(rule)
    audit_record(
        actor=actor,
        action="analytics.grade_rules.replaced",
        instance=None,
        object_type="analytics.graderule",
        changes={
            "before": before,
            "after": [dict(GradeRule.objects.filter(pk=r.pk).values()[0]) for r in created],
        },
    )
    return created


@transaction.atomic
def stage_playbooks_save(*, actor: Any, playbooks: list[StagePlaybook]) -> None:
    """Save the playbooks of the settings page (validated by their forms)."""
    if not has_permission(actor, MANAGE_SCORING):
        raise PermissionDenied(_gettext("You may not change the playbooks."))
    for playbook in playbooks:
        playbook.save()
    audit_record(
        actor=actor,
        action="analytics.playbooks.updated",
        instance=None,
        object_type="analytics.stageplaybook",
        changes={"after": list(StagePlaybook.objects.values())},
    )
