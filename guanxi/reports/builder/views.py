"""Report builder pages: the builder (form → htmx-swapped table and chart), export,
save, the saved-report list (rename, delete) and a report's e-mail schedules."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.reports.builder import exports, selectors, services
from guanxi.reports.builder.definition import definition_parse
from guanxi.reports.builder.forms import DEFAULT_MEASURES, BuilderForm, SaveForm, ScheduleForm
from guanxi.reports.builder.query import report_run
from guanxi.reports.permissions import (
    DELETE_SAVED_REPORTS,
    EXPORT_REPORTS,
    SCHEDULE_REPORTS,
    VIEW_SALES_REPORTS,
)
from guanxi.reports.selectors import filter_choices


def _query_of(definition: dict[str, Any]) -> QueryDict:
    """A saved definition as the builder's query string."""
    query = QueryDict(mutable=True)
    for key, value in definition.items():
        if key == "measures":
            query.setlist("measures", [str(m) for m in value])
        elif key == "descending":
            query[key] = "1" if value else "0"
        elif value not in (None, ""):
            query[key] = str(value)
    return query


def _saved_or_404(request: HttpRequest, report_id: Any) -> Any:
    try:
        return selectors.saved_report_get(actor=request.user, report_id=report_id)
    except NotFound as error:
        raise Http404(str(error)) from error


@login_required
@require_GET
def builder(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    saved = None
    data: QueryDict | None = request.GET.copy() if request.GET else None
    if data is not None and "report" in data:
        saved = _saved_or_404(request, data.get("report"))
        if "dimension" not in data:
            data = _query_of(saved.definition)
        data.pop("report", None)
    owners, teams = filter_choices(actor=request.user)
    form = BuilderForm(data, owners=owners, teams=teams, initial={"measures": DEFAULT_MEASURES})
    result = None
    if form.is_bound:
        try:
            result = report_run(
                actor=request.user, definition=definition_parse(form.to_definition())
            )
        except ValidationError as error:
            apply_field_errors(form, error)
    query = data.urlencode() if data is not None else ""
    context = {
        "form": form,
        "result": result,
        "chart": exports.echarts_spec(result) if result is not None else None,
        "saved": saved,
        "query": query,
        "save_form": SaveForm(initial={"name": saved.name if saved else ""}),
        "can_export": has_permission(request.user, EXPORT_REPORTS),
        "formats": exports.FORMATS,
    }
    template = "reports/builder/builder.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        template += "#builder-result"
    return render(request, template, context)


@login_required
@require_GET
def builder_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The builder's current report as a file (same query string as the page)."""
    require_page_permission(request, EXPORT_REPORTS)
    owners, teams = filter_choices(actor=request.user)
    form = BuilderForm(request.GET, owners=owners, teams=teams)
    try:
        export = services.report_export(
            actor=request.user, definition=form.to_definition(), fmt=fmt
        )
    except ValidationError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('reports:builder')}?{request.GET.urlencode()}")
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    return response


@login_required
@require_POST
def saved_report_save(request: HttpRequest) -> HttpResponse:
    """Save the builder's report under a name (or replace the definition of the
    loaded report when "update" is pressed by its owner)."""
    require_page_permission(request, VIEW_SALES_REPORTS)
    query = QueryDict(request.POST.get("query", ""))
    owners, teams = filter_choices(actor=request.user)
    definition = BuilderForm(query, owners=owners, teams=teams).to_definition()
    form = SaveForm(request.POST)
    back = f"{reverse('reports:builder')}?{query.urlencode()}"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("name", [])))
        return redirect(back)
    try:
        if request.POST.get("update"):
            report = services.saved_report_update(
                actor=request.user,
                report_id=request.POST["update"],
                name=form.cleaned_data["name"],
                is_shared=form.cleaned_data["is_shared"],
                definition=definition,
            )
        else:
            report = services.saved_report_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                definition=definition,
                is_shared=form.cleaned_data["is_shared"],
            )
    except (ValidationError, PermissionDenied, NotFound) as error:
        details = getattr(error, "field_errors", {})
        text = " ".join(m for messages_ in details.values() for m in messages_) or error.message
        messages.error(request, text)
        return redirect(back)
    messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
    return redirect(f"{reverse('reports:builder')}?{urlencode({'report': report.pk})}")


@login_required
@require_GET
def saved_report_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    reports = list(selectors.saved_report_list(actor=request.user))
    return render(
        request,
        "reports/builder/saved_report_list.html",
        {
            "mine": [r for r in reports if r.owner_id == request.user.pk],
            "shared": [r for r in reports if r.owner_id != request.user.pk],
            "can_delete": has_permission(request.user, DELETE_SAVED_REPORTS),
            "can_schedule": has_permission(request.user, SCHEDULE_REPORTS),
        },
    )


@login_required
@require_POST
def saved_report_rename(request: HttpRequest, report_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    try:
        services.saved_report_update(
            actor=request.user,
            report_id=report_id,
            expected_version=request.POST.get("version") or None,
            name=request.POST.get("name", ""),
            is_shared=bool(request.POST.get("is_shared")),
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    except (ValidationError, PermissionDenied, ConflictError) as error:
        details = getattr(error, "field_errors", {})
        messages.error(request, " ".join(m for ms in details.values() for m in ms) or error.message)
    return redirect("reports:saved_report_list")


@login_required
@require_POST
def saved_report_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_SAVED_REPORTS)
    try:
        report = services.saved_report_delete(actor=request.user, report_id=report_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    messages.success(request, _("“%(name)s” was moved to the recycle bin.") % {"name": report.name})
    return redirect("reports:saved_report_list")


@login_required
@require_http_methods(["GET", "POST"])
def saved_report_schedules(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report's e-mail schedules and the form to add one (the owner only)."""
    require_page_permission(request, SCHEDULE_REPORTS)
    report = _saved_or_404(request, report_id)
    if report.owner_id != request.user.pk:
        raise Http404
    from guanxi.accounts.selectors import user_list

    users = list(user_list(actor=request.user).exclude(email=""))
    form = ScheduleForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        recipients = data.pop("recipients")
        try:
            services.schedule_create(
                actor=request.user, report_id=report.pk, recipients=recipients, **data
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("reports:saved_report_schedules", report_id=report.pk)
    return render(
        request,
        "reports/builder/saved_report_schedules.html",
        {
            "report": report,
            "schedules": selectors.schedule_list(actor=request.user, report_id=report.pk),
            "form": form,
        },
    )


@login_required
@require_POST
def schedule_delete(request: HttpRequest, schedule_id: int) -> HttpResponse:
    require_page_permission(request, SCHEDULE_REPORTS)
    try:
        schedule = selectors.schedule_get(actor=request.user, schedule_id=schedule_id)
        services.schedule_delete(actor=request.user, schedule_id=schedule_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    messages.success(request, _("Schedule removed."))
    return redirect("reports:saved_report_schedules", report_id=schedule.report_id)
