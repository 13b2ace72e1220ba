"""Task pages: list with filters, create, edit (with the conflict screen), tick done."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.activities import selectors, services
from guanxi.activities.forms import TaskFilterForm, TaskForm
from guanxi.activities.permissions import ADD_TASK, CHANGE_TASK, DELETE_TASK, VIEW_TASK
from guanxi.customers.selectors import customer_get
from guanxi.customers.views.detail import _save_versioned_form
from guanxi.customers.views.pickers import customer_picker_json
from guanxi.platform.exceptions import ApplicationError, NotFound
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission

PAGE_SIZE = 50


def _task(request: HttpRequest, task_id: int, action: str = "view") -> Any:
    try:
        return selectors.task_get(actor=request.user, task_id=task_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_TASK)
    assignees = (
        selectors.assignee_choices(actor=request.user)
        if selectors.can_filter_by_assignee(request.user)
        else None
    )
    params = request.GET.copy()
    params.pop("cursor", None)
    form = TaskFilterForm(params or None, assignees=assignees)
    page = keyset_page(
        selectors.task_list(actor=request.user, filters=form.to_filter()),
        ordering=selectors.TASK_SORTS["due"],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "task-table",
        "today": timezone.localdate(),
        "can_add": has_permission(request.user, ADD_TASK),
        "can_change": has_permission(request.user, CHANGE_TASK),
    }
    template = "activities/task_list.html"
    if getattr(request, "htmx", False):
        template += "#task-table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, ADD_TASK)
    customer = None
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    if customer_id:
        try:
            customer = customer_get(actor=request.user, customer_id=customer_id)
        except NotFound:
            customer = None
    form = TaskForm(
        request.POST if request.method == "POST" else None,
        assignees=selectors.assignee_choices(actor=request.user),
        customer=customer,
        initial={
            "assignee": request.user.pk,
            "customer": getattr(customer, "pk", None),
            **{
                name: request.GET[name]
                for name in ("lead", "opportunity", "contract")
                if request.GET.get(name, "").isdigit()
            },
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=request.user, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Task “%(title)s” created.") % {"title": task.title})
            default = (
                reverse("customers:customer_detail", args=[task.customer_id])
                if task.customer_id
                else reverse("activities:task_list")
            )
            return redirect(_next_url(request, default))
    return render(
        request,
        "activities/task_form.html",
        {"form": form, "is_create": True, "next": _next_url(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_update(request: HttpRequest, task_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_TASK)
    task = _task(request, task_id)
    can_change = has_permission(request.user, CHANGE_TASK)
    assignees = selectors.assignee_choices(actor=request.user)
    form = TaskForm(
        request.POST if request.method == "POST" else None, assignees=assignees, task=task
    )
    conflict = None
    if request.method == "POST":
        require_page_permission(request, CHANGE_TASK)
        task = _task(request, task_id, action="change")
        if form.is_valid():
            saved, conflict, form = _save_versioned_form(
                request,  # type: ignore[arg-type]
                form,
                lambda valid: services.task_update(
                    actor=request.user,
                    task=task,
                    expected_version=valid.cleaned_data["version"],
                    **valid.service_fields(),
                ),
                lambda data: TaskForm(data, assignees=assignees, task=task),
            )
            if saved:
                messages.success(request, _("Changes saved."))
                return redirect(_next_url(request, reverse("activities:task_list")))
    return render(
        request,
        "activities/task_form.html",
        {
            "form": form,
            "task": task,
            "is_create": False,
            "conflict": conflict,
            "can_change": can_change,
            "can_delete": has_permission(request.user, DELETE_TASK),
            "next": _next_url(request, ""),
        },
    )


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    """Tick (or untick) in place: htmx gets the row back, a plain form post is redirected."""
    require_page_permission(request, CHANGE_TASK)
    task = _task(request, task_id, action="change")
    is_done = request.POST.get("done", "1") != "0"
    task = services.task_done(actor=request.user, task=task, is_done=is_done)
    if getattr(request, "htmx", False):
        return render(
            request,
            "activities/partials/task_item.html",
            {"task": task, "today": timezone.localdate(), "can_change": True},
        )
    return redirect(_next_url(request, reverse("activities:task_list")))


@login_required
@require_GET
def customer_options(request: HttpRequest) -> JsonResponse:
    """Customers in scope matching `q`, for the task form's customer picker."""
    require_page_permission(request, ADD_TASK)
    return customer_picker_json(request)


@login_required
@require_POST
def task_delete(request: HttpRequest, task_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_TASK)
    task = _task(request, task_id, action="delete")
    services.task_delete(actor=request.user, task=task)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("activities:task_list")
