"""The kanban board: columns per stage, drag a card (SortableJS) to move it.

A drop posts the card's version and its new neighbours to `opportunity_move`;
the answer is a small fragment: the card as saved (or as it really is now, after a
conflict), a message, and the column headers with fresh totals as out-of-band
swaps (static/deals/board.js applies them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.deals import selectors, services
from guanxi.deals.forms import BoardFilterForm
from guanxi.deals.permissions import (
    ADD_OPPORTUNITY,
    CHANGE_OPPORTUNITY,
    MANAGE_PIPELINE,
    VIEW_OPPORTUNITY,
)
from guanxi.deals.views._common import filter_widgets, get_opportunity
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission, require_page_permission

FILTER_PARAMS = ("owner", "team", "close_month")


def _pipeline(request: HttpRequest, pipelines: list[Any], value: Any) -> Any:
    for pipeline in pipelines:
        if str(pipeline.pk) == str(value):
            return pipeline
    return pipelines[0]


def _filter_form(request: HttpRequest, data: Any) -> BoardFilterForm:
    owners, teams = filter_widgets(request)
    params = {name: data.get(name) for name in FILTER_PARAMS if data.get(name)}
    return BoardFilterForm(params or None, owners=owners, teams=teams)


@login_required
@require_GET
def opportunity_board(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_OPPORTUNITY)
    pipelines = selectors.pipeline_list(actor=request.user)
    pipeline = _pipeline(request, pipelines, request.GET.get("pipeline"))
    form = _filter_form(request, request.GET)
    board = selectors.board_get(actor=request.user, pipeline=pipeline, filters=form.to_filter())
    query = request.GET.copy()
    query.pop("pipeline", None)
    context = {
        "board": board,
        "pipelines": pipelines,
        "pipeline": pipeline,
        "form": form,
        "filter_query": query.urlencode(),
        "can_add": has_permission(request.user, ADD_OPPORTUNITY),
        "can_change": has_permission(request.user, CHANGE_OPPORTUNITY),
        "perms_manage_pipeline": has_permission(request.user, MANAGE_PIPELINE),
        "card_base": reverse("deals:opportunity_list"),
        "today": timezone.localdate(),
    }
    template = "deals/opportunity_board.html"
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "board":
        template += "#board"
    return render(request, template, context)


def _error_text(error: ValidationError) -> str:
    texts = [m for messages_ in error.field_errors.values() for m in messages_]
    return " ".join(texts) or error.message


def _conflict_text(request: HttpRequest, opportunity: Any) -> str:
    change = selectors.last_change(actor=request.user, opportunity=opportunity)
    who = str(change.actor) if change is not None and change.actor else _("someone")
    if change is not None and change.actor_id == request.user.pk:
        who = _("you (in another tab)")
    return _(
        "%(who)s changed “%(title)s” in the meantime: it is now in “%(stage)s”. "
        "Your move was not saved; the card shows where it is now."
    ) % {"who": who, "title": opportunity.title, "stage": opportunity.stage.name}


@login_required
@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move a card to a stage (drag and drop, or the "Move to…" dialog)."""
    require_page_permission(request, CHANGE_OPPORTUNITY)
    opportunity = get_opportunity(request, opportunity_id, action="change")
    post = request.POST
    status, message, level = 200, "", "success"
    try:
        moved = services.opportunity_stage_change(
            actor=request.user,
            opportunity=opportunity,
            stage=post.get("stage"),
            expected_version=post.get("version") or None,
            lost_reason=post.get("lost_reason", ""),
            after_id=post.get("after") or None,
            before_id=post.get("before") or None,
        )
    except ConflictError:
        moved = get_opportunity(request, opportunity_id)
        status, message, level = 409, _conflict_text(request, moved), "warning"
    except (ValidationError, PermissionDenied) as error:
        moved = get_opportunity(request, opportunity_id)
        status, level = 422, "danger"
        message = _error_text(error) if isinstance(error, ValidationError) else error.message
    except NotFound:
        moved = get_opportunity(request, opportunity_id)
        status, message, level = 422, _("Choose a stage of this pipeline."), "danger"
    else:
        if moved.stage_id != opportunity.stage_id:
            message = _("“%(title)s” moved to “%(stage)s”.") % {
                "title": moved.title,
                "stage": moved.stage.name,
            }
    if not getattr(request, "htmx", False):
        getattr(messages, "success" if status == 200 else "error")(request, message or _("Saved."))
        return redirect(f"{reverse('deals:opportunity_board')}?pipeline={moved.pipeline_id}")
    pipelines = selectors.pipeline_list(actor=request.user)
    pipeline = _pipeline(request, pipelines, moved.pipeline_id)
    form = _filter_form(request, post)
    totals = selectors.board_totals(actor=request.user, pipeline=pipeline, filters=form.to_filter())
    context = {
        "card": moved,
        "board": totals,
        "status": {200: "ok", 409: "conflict"}.get(status, "invalid"),
        "message": message,
        "level": level,
        "can_change": True,
        "card_base": reverse("deals:opportunity_list"),
        "today": timezone.localdate(),
    }
    return render(request, "deals/partials/move_result.html", context, status=status)
