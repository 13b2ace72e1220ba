"""The import wizard: upload → mapping → dry run → run (a job) → summary, undo; and
the list of a person's imports.

The wizard's state (stored file, target, mapping, options) lives in the session
under a random token that the URLs carry; the file path never comes from the
client, and a token that is not in this session is refused.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from guanxi.accounts.models import User
from guanxi.platform.exceptions import ApplicationError, NotFound
from guanxi.platform.import_forms import (
    DEFAULT_BATCH_SIZE,
    POLICY_LABELS,
    PRESET_LABELS,
    ImportMappingForm,
    ImportUploadForm,
    mapping_initial,
)
from guanxi.platform.import_wizard import (
    import_file_sample,
    import_target_allowed,
    import_targets_for,
    import_upload_path,
)
from guanxi.platform.imports.reading import ImportFileError
from guanxi.platform.imports.selectors import import_run_get, import_runs_for
from guanxi.platform.imports.services import (
    import_error_report_get,
    import_mapping_save,
    import_preview,
    import_start,
    import_undo,
    import_upload_store,
)
from guanxi.platform.imports.targets import import_target
from guanxi.platform.imports.uploads import limit_import_upload
from guanxi.platform.models import ImportRun
from guanxi.platform.pagination import keyset_page


class AuthedRequest(HttpRequest):
    """A request to these views: signed in (login_required) and read by django-htmx."""

    user: User
    htmx: HtmxDetails


SESSION_PREFIX = "import-wizard:"
MAX_OPEN_WIZARDS = 5
PREVIEW_ROW_LIMIT = 10_000
LISTED_ERRORS = 200
RUNS_PAGE_SIZE = 50


# --- wizard state in the session --------------------------------------------


def _state_create(request: AuthedRequest, state: dict[str, Any]) -> str:
    """Keep `state` under a new token; forget (and delete the files of) the oldest
    wizards beyond MAX_OPEN_WIZARDS."""
    open_keys = [
        key
        for key, _value in sorted(
            (item for item in request.session.items() if item[0].startswith(SESSION_PREFIX)),
            key=lambda item: item[1].get("created", 0) if isinstance(item[1], dict) else 0,
        )
    ]
    for key in open_keys[: max(0, len(open_keys) - MAX_OPEN_WIZARDS + 1)]:
        _forget(request, key.removeprefix(SESSION_PREFIX))
    token = secrets.token_urlsafe(16)
    request.session[SESSION_PREFIX + token] = {
        **state,
        "user_id": request.user.pk,
        "created": time.time(),
    }
    return token


def _state(request: AuthedRequest, token: str) -> dict[str, Any] | None:
    """The wizard state for `token` if it is this person's and its file is still there."""
    state = request.session.get(SESSION_PREFIX + token)
    if not isinstance(state, dict) or state.get("user_id") != request.user.pk:
        return None
    if import_upload_path(str(state.get("path", ""))) is None:
        return None
    if not import_target_allowed(request.user, state.get("target", "")):
        raise DjangoPermissionDenied(_("You may not import these records."))
    return state


def _state_save(request: AuthedRequest, token: str, state: dict[str, Any]) -> None:
    request.session[SESSION_PREFIX + token] = state


def _forget(request: AuthedRequest, token: str, *, is_file_kept: bool = False) -> None:
    state = request.session.pop(SESSION_PREFIX + token, None)
    if isinstance(state, dict) and not is_file_kept:
        path = import_upload_path(str(state.get("path", "")))
        if path is not None:
            path.unlink(missing_ok=True)


def _expired(request: AuthedRequest) -> HttpResponse:
    messages.error(request, _("This import was not found or has expired. Upload the file again."))
    return redirect("platform:import_upload")


def _fields_of(target: str) -> dict[str, Any]:
    """The fields of a target a column can fill, custom fields included."""
    adapter = import_target(target)
    custom = {f"custom:{key}": label for key, label in adapter.custom_labels().items()}
    return {**adapter.fields, **custom}


def _target_label(request: AuthedRequest, target: str) -> Any:
    return next(
        (choice.label for choice in import_targets_for(request.user) if choice.key == target),
        target,
    )


# --- list --------------------------------------------------------------------


@login_required
def import_list(request: AuthedRequest) -> HttpResponse:
    page = keyset_page(
        import_runs_for(request.user),
        ordering=["-created_at", "-id"],
        cursor=request.GET.get("cursor"),
        size=RUNS_PAGE_SIZE,
    )
    labels = {choice.key: choice.label for choice in import_targets_for(request.user)}
    context = {
        "page": page,
        "runs": [(run, labels.get(run.target, run.target)) for run in page.items],
        "can_import": bool(labels),
    }
    return render(request, "platform/imports/import_list.html", context)


# --- 1. upload ---------------------------------------------------------------


# The size limit must be in place before anything reads the body, and the CSRF
# middleware reads it: so it is exempted there and checked here, after the limit.
@csrf_exempt
@limit_import_upload
@csrf_protect
@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    targets = import_targets_for(request.user)
    if not targets:
        raise DjangoPermissionDenied(_("You may not import any records."))
    initial = {"target": request.GET.get("target") or targets[0].key}
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, targets=targets, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        token = _store_upload(request, form)
        if token:
            return redirect("platform:import_mapping", token=token)
    return render(request, "platform/imports/import_upload.html", {"form": form})


def _store_upload(request: AuthedRequest, form: ImportUploadForm) -> str | None:
    """Store and read the uploaded file; a wizard token, or None with the form's errors set."""
    data = form.cleaned_data
    upload = data["file"]
    try:
        path = import_upload_store(upload)
    except ImportFileError as error:
        form.add_error("file", error.message)
        return None
    try:
        checked = import_preview(
            actor=request.user,
            path=path,
            target=data["target"],
            preset=data["preset"] or None,
            saved_mapping=data["saved_mapping_name"] or None,
            limit=0,
        )
    except ApplicationError as error:
        path.unlink(missing_ok=True)
        field = "file" if isinstance(error, ImportFileError) else "saved_mapping"
        form.add_error(field, error.message)
        return None
    return _state_create(
        request,
        {
            "path": str(path),
            "file_name": Path(upload.name or "import").name[:255],
            "target": data["target"],
            "preset": data["preset"],
            "saved_mapping": data["saved_mapping_name"],
            "headers": checked["headers"],
            "mapping": checked["mapping"],
            "kind": checked["kind"],
            "encoding": checked["encoding"],
            "policy": "skip",
            "is_all_or_nothing": False,
            "batch_size": DEFAULT_BATCH_SIZE,
        },
    )


# --- 2. mapping --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: AuthedRequest, token: str) -> HttpResponse:
    state = _state(request, token)
    if state is None:
        return _expired(request)
    headers = state["headers"]
    initial = mapping_initial(
        state["mapping"],
        headers,
        policy=state["policy"],
        is_all_or_nothing=state["is_all_or_nothing"],
        batch_size=state["batch_size"],
    )
    form = ImportMappingForm(
        request.POST or None, headers=headers, fields=_fields_of(state["target"]), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        state.update(
            mapping=data["mapping"],
            policy=data["policy"],
            is_all_or_nothing=data["is_all_or_nothing"],
            batch_size=data["batch_size"],
        )
        _state_save(request, token, state)
        if data["save_as"].strip():
            import_mapping_save(
                actor=request.user,
                name=data["save_as"],
                target=state["target"],
                mapping=data["mapping"],
            )
            messages.success(
                request, _("The mapping was saved as “%(name)s”.") % {"name": data["save_as"]}
            )
        return redirect("platform:import_preview", token=token)
    try:
        sample = import_file_sample(Path(state["path"]))
    except ImportFileError as error:
        _forget(request, token)
        messages.error(request, error.message)
        return redirect("platform:import_upload")
    context = {
        "form": form,
        "token": token,
        "state": state,
        "target_label": _target_label(request, state["target"]),
        "preset_label": PRESET_LABELS.get(state["preset"], ""),
        "columns": [(field, sample.get(field.label, [])) for field in form.column_fields()],
    }
    return render(request, "platform/imports/import_mapping.html", context)


# --- 3. dry run and start ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_preview_step(request: AuthedRequest, token: str) -> HttpResponse:
    state = _state(request, token)
    if state is None:
        return _expired(request)
    options = {
        "actor": request.user,
        "path": state["path"],
        "target": state["target"],
        "mapping": state["mapping"],
        "policy": state["policy"],
    }
    if request.method == "POST":
        try:
            run = import_start(
                **options,
                file_name=state["file_name"],
                batch_size=state["batch_size"],
                is_all_or_nothing=state["is_all_or_nothing"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("platform:import_preview", token=token)
        _forget(request, token)
        return redirect("platform:import_run_detail", run_id=run.pk)
    result: dict[str, Any] | None = None
    error_message = ""
    try:
        result = import_preview(**options, limit=PREVIEW_ROW_LIMIT)
    except ApplicationError as error:
        error_message = error.message
    checked = (
        sum(result[key] for key in ("created", "updated", "skipped", "failed")) if result else 0
    )
    context = {
        "token": token,
        "state": state,
        "target_label": _target_label(request, state["target"]),
        "policy_label": POLICY_LABELS.get(state["policy"], state["policy"]),
        "result": result,
        "errors": (result or {}).get("errors", [])[:LISTED_ERRORS],
        "more_errors": max(0, (result or {}).get("failed", 0) - LISTED_ERRORS),
        "is_partial": checked >= PREVIEW_ROW_LIMIT,
        "row_limit": PREVIEW_ROW_LIMIT,
        "error_message": error_message,
    }
    return render(request, "platform/imports/import_preview.html", context)


# --- 4. the run: progress, summary, error report, undo ------------------------


def _run(request: AuthedRequest, run_id: int) -> ImportRun:
    try:
        return import_run_get(request.user, run_id)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
def import_run_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    context = {
        "run": run,
        "job": run.job,
        "is_finished": run.job is None or run.job.is_finished,
        "target_label": _target_label(request, run.target),
        "policy_label": POLICY_LABELS.get(run.options.get("policy", ""), ""),
        "errors": (run.summary or {}).get("errors", [])[:LISTED_ERRORS],
        "can_download": bool(run.error_report) and run.created_by_id == request.user.pk,
    }
    template = "platform/imports/import_run.html"
    if request.htmx:
        template += "#import-run-summary"
    return render(request, template, context)


@login_required
def import_error_report(request: AuthedRequest, run_id: int) -> FileResponse:
    try:
        path = import_error_report_get(actor=request.user, run_id=run_id)
    except NotFound as error:
        raise Http404(error.message) from error
    run = _run(request, run_id)
    name = f"{Path(run.file_name).stem or 'import'}-errors.xlsx"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def import_run_undo(request: AuthedRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    try:
        import_undo(actor=request.user, run=run)
    except NotFound as error:
        raise Http404(error.message) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "The import was undone: the records it created are in the recycle bin "
                "and the records it changed have their earlier values back."
            ),
        )
    return redirect(reverse("platform:import_run_detail", kwargs={"run_id": run.pk}))
