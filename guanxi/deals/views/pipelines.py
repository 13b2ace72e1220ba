"""Pipeline settings (deals.manage_pipeline): pipelines, their stages and probabilities.

One page per pipeline; each form on it posts an `action` (rename, add a stage,
save a stage, move a stage up/down, delete a stage) and comes back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from guanxi.deals import selectors, services
from guanxi.deals.models import StageKind
from guanxi.deals.permissions import MANAGE_PIPELINE
from guanxi.platform.exceptions import ApplicationError, NotFound
from guanxi.platform.permissions import require_page_permission


def _error_text(error: ApplicationError) -> str:
    texts = [m for values in getattr(error, "field_errors", {}).values() for m in values]
    return " ".join(texts) or error.message


@login_required
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_PIPELINE)
    return render(
        request,
        "deals/pipeline_list.html",
        {"pipelines": selectors.pipeline_list(actor=request.user, include_inactive=True)},
    )


@login_required
@require_http_methods(["POST"])
def pipeline_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_PIPELINE)
    try:
        pipeline = services.pipeline_create(actor=request.user, name=request.POST.get("name", ""))
    except ApplicationError as error:
        messages.error(request, _error_text(error))
        return redirect("deals:pipeline_list")
    messages.success(request, _("Pipeline created with the standard stages; adjust them below."))
    return redirect("deals:pipeline_update", pipeline_id=pipeline.pk)


def _stage(pipeline: Any, value: Any) -> Any:
    try:
        return selectors.stage_get(pipeline=pipeline, stage_id=value)
    except NotFound:
        return None


def _run(request: HttpRequest, pipeline: Any) -> str:
    """Carry out the posted action; the success message."""
    post, actor = request.POST, request.user
    action = post.get("action", "")
    if action == "rename":
        services.pipeline_update(
            actor=actor,
            pipeline=pipeline,
            expected_version=post.get("version") or None,
            name=post.get("name", ""),
            is_active=post.get("is_active") == "on",
            is_default=post.get("is_default") == "on",
        )
        return _("Pipeline saved.")
    if action == "add_stage":
        services.stage_create(
            actor=actor,
            pipeline=pipeline,
            name=post.get("name", ""),
            probability=post.get("probability", ""),
            kind=post.get("kind", StageKind.OPEN),
        )
        return _("Stage added.")
    stage = _stage(pipeline, post.get("stage"))
    if stage is None:
        raise Http404("stage")
    if action == "save_stage":
        services.stage_update(
            actor=actor,
            stage=stage,
            name=post.get("name", ""),
            probability=post.get("probability", ""),
        )
        return _("Stage saved.")
    if action in ("up", "down"):
        ids = [s.pk for s in pipeline.stage_list]
        index = ids.index(stage.pk)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            services.stage_reorder(actor=actor, pipeline=pipeline, stage_ids=ids)
        return _("Stage order saved.")
    if action == "delete_stage":
        services.stage_delete(
            actor=actor, stage=stage, move_to=_stage(pipeline, post.get("move_to"))
        )
        return _("Stage deleted.")
    raise Http404("action")


@login_required
@require_http_methods(["GET", "POST"])
def pipeline_update(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    require_page_permission(request, MANAGE_PIPELINE)
    try:
        pipeline = selectors.pipeline_get(actor=request.user, pipeline_id=pipeline_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    if request.method == "POST":
        try:
            messages.success(request, _run(request, pipeline))
        except ApplicationError as error:
            messages.error(request, _error_text(error))
        return redirect("deals:pipeline_update", pipeline_id=pipeline.pk)
    summary = selectors.pipeline_summary(actor=request.user, pipeline=pipeline)
    return render(
        request,
        "deals/pipeline_form.html",
        {
            "pipeline": pipeline,
            "stages": [(stage, summary.get(stage.pk)) for stage in pipeline.stage_list],
            "kinds": StageKind.choices,
        },
    )
