"""Pages: churn warning list with win-back, and the scoring settings."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.analytics.forms import GradeRuleFormSet, ScoringSettingsForm, StagePlaybookForm
from guanxi.analytics.models import GradeRule, ScoringRun, StagePlaybook
from guanxi.analytics.permissions import MANAGE_SCORING, VIEW_SCORES
from guanxi.analytics.scoring import churn_reason_text, note_texts, scoring_settings_get
from guanxi.analytics.selectors import churn_warning_list, latest_win_backs, win_back_outcome
from guanxi.analytics.selectors import stage_flow as stage_flow_selector
from guanxi.analytics.services import (
    grade_rules_replace,
    scoring_settings_update,
    stage_playbooks_save,
)
from guanxi.analytics.services import win_back_start as win_back_start_service
from guanxi.customers.models import LifecycleStage
from guanxi.platform.exceptions import ApplicationError, ValidationError
from guanxi.platform.permissions import has_permission, require_page_permission

CHURN_ROWS = 100


@login_required
@require_GET
def churn_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SCORES)
    rows = churn_warning_list(actor=request.user)
    total = rows.count()
    scores = list(rows[:CHURN_ROWS])
    win_backs = latest_win_backs(customer_ids=[score.customer_id for score in scores])
    items = [
        {
            "score": score,
            "reasons": [churn_reason_text(reason) for reason in score.churn_reasons],
            "win_back": win_backs.get(score.customer_id),
        }
        for score in scores
    ]
    settings = scoring_settings_get()
    context = {
        "items": items,
        "total": total,
        "shown": len(items),
        "outcome": win_back_outcome(
            actor=request.user, days=settings.win_back_days, today=timezone.localdate()
        ),
        "settings": settings,
        "last_run": ScoringRun.objects.filter(finished_at__isnull=False).first(),
        "can_manage": has_permission(request.user, MANAGE_SCORING),
    }
    return render(request, "analytics/churn_list.html", context)


@login_required
@require_POST
def win_back_start(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_SCORES)
    error = ""
    win_back = None
    try:
        win_back = win_back_start_service(actor=request.user, customer_id=customer_id)
    except ApplicationError as failure:
        error = str(failure)
    if request.htmx:
        return render(
            request,
            "analytics/partials/win_back_cell.html",
            {"win_back": win_back, "error": error, "customer_id": customer_id},
            status=200 if win_back else 422,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Win-back started: a task for the owner."))
    return redirect("analytics:churn_list")


def _rule_initial() -> list[dict[str, Any]]:
    return list(
        GradeRule.objects.filter(is_active=True)
        .order_by("position", "id")
        .values(
            "grade",
            "min_spend",
            "min_profit",
            "min_frequency",
            "max_recency_days",
            "min_interactions",
            "min_rfm_score",
        )
    )


def _playbook_forms(data: Any = None) -> list[tuple[str, StagePlaybookForm]]:
    existing = {playbook.stage: playbook for playbook in StagePlaybook.objects.all()}
    forms = []
    for stage, label in LifecycleStage.choices:
        instance = existing.get(stage) or StagePlaybook(stage=stage, is_active=False)
        forms.append(
            (label, StagePlaybookForm(data, instance=instance, prefix=f"playbook-{stage}"))
        )
    return forms


@login_required
@require_http_methods(["GET", "POST"])
def scoring_settings(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_SCORING)
    current = scoring_settings_get()
    if request.method == "POST":
        form = ScoringSettingsForm(request.POST, instance=scoring_settings_get())
        rules = GradeRuleFormSet(request.POST, prefix="rules")
        playbooks = _playbook_forms(request.POST)
        is_valid = all(
            [form.is_valid(), rules.is_valid(), *[item.is_valid() for _label, item in playbooks]]
        )
        if is_valid:
            try:
                with transaction.atomic():
                    scoring_settings_update(actor=request.user, **form.cleaned_data)
                    grade_rules_replace(
                        actor=request.user,
                        rules=[
                            {key: value for key, value in row.items() if key != "DELETE"}
                            for row in rules.cleaned_data
                            if row and not row.get("DELETE")
                        ],
                    )
                    stage_playbooks_save(
                        actor=request.user,
                        playbooks=[item.save(commit=False) for _label, item in playbooks],
                    )
            except ValidationError as failure:
                for field, errors in failure.field_errors.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Saved. The next scoring run applies the new rules."))
                return redirect("analytics:scoring_settings")
    else:
        form = ScoringSettingsForm(instance=current)
        rules = GradeRuleFormSet(initial=_rule_initial(), prefix="rules")
        playbooks = _playbook_forms()
    last_run = ScoringRun.objects.filter(finished_at__isnull=False).first()
    context = {
        "form": form,
        "rules": rules,
        "playbooks": playbooks,
        "last_run": last_run,
        "last_run_notes": note_texts(last_run.notes) if last_run else [],
    }
    return render(request, "analytics/scoring_settings.html", context)


FLOW_MONTHS = (1, 3, 6, 12)


@login_required
@require_GET
def stage_flow(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SCORES)
    try:
        months = int(request.GET.get("months", "1"))
    except ValueError:
        months = 1
    if months not in FLOW_MONTHS:
        months = 1
    end = timezone.now()
    flow = stage_flow_selector(
        actor=request.user, start=end - datetime.timedelta(days=round(months * 30.44)), end=end
    )
    context = {"flow": flow, "chart": flow.chart, "months": months, "choices": FLOW_MONTHS}
    return render(request, "analytics/stage_flow.html", context)
