"""Settings screens for tags, tag groups and custom fields.

Each screen needs its permission (customers.manage_tag / manage_customfield);
without it the user gets a 403. Services check the same permission again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.customers import selectors, services
from guanxi.customers.forms.settings import CustomFieldForm, TagForm, TagGroupForm
from guanxi.customers.models import CustomField, CustomFieldTarget
from guanxi.customers.permissions import MANAGE_CUSTOM_FIELDS, MANAGE_TAGS
from guanxi.platform.exceptions import ApplicationError, ConflictError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import has_permission

View = Callable[..., HttpResponse]


def permission_required(code: str) -> Callable[[View], View]:
    """Signed in and holding `code`, else 403 (signed-out users go to the login page)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, code):
                raise PermissionDenied(code)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def _show_service_error(form: Any, error: ApplicationError) -> None:
    """Put a service error on the form; on a stale edit also show the saved values.

    After a conflict the form carries the current version, so saving again
    knowingly overwrites the other person's change.
    """
    apply_field_errors(form, error)
    if not isinstance(error, ConflictError):
        return
    data = form.data.copy()
    data["version"] = str(error.current_version)
    form.data = data
    for name, saved in error.current_values.items():
        field = form.fields.get(name)
        if field is None or isinstance(field, forms.ModelChoiceField | forms.BooleanField):
            continue
        saved_text = "\n".join(saved) if isinstance(saved, list) else str(saved or "")
        submitted = "\n".join(form.data.getlist(name)) if name in form.data else ""
        if submitted.replace("\r", "").strip() != saved_text.strip():
            form.add_error(name, _("Saved meanwhile: %(value)s") % {"value": saved_text})


# --- tags -------------------------------------------------------------------------


def _tag_list_page(
    request: HttpRequest, group_form: TagGroupForm | None = None, *, status: int = 200
) -> HttpResponse:
    """Tags by group (empty groups too), then the tags without a group."""
    tags = list(selectors.tag_list())
    sections: list[tuple[Any, list[Any]]] = [
        (group, [tag for tag in tags if tag.group_id == group.pk])
        for group in selectors.tag_group_list()
    ]
    sections.append((None, [tag for tag in tags if tag.group_id is None]))
    return render(
        request,
        "customers/tag_list.html",
        {"sections": sections, "group_form": group_form or TagGroupForm()},
        status=status,
    )


@permission_required(MANAGE_TAGS)
@require_http_methods(["GET"])
def tag_list(request: HttpRequest) -> HttpResponse:
    return _tag_list_page(request)


def _tag_form_page(
    request: HttpRequest, form: TagForm, tag: Any = None, *, status: int = 200
) -> HttpResponse:
    return render(request, "customers/tag_form.html", {"form": form, "tag": tag}, status=status)


@permission_required(MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tag_form_page(request, TagForm())
    form = TagForm(request.POST)
    if not form.is_valid():
        return _tag_form_page(request, form, status=422)
    try:
        tag = services.tag_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
            group=form.cleaned_data["group"],
        )
    except ApplicationError as error:
        apply_field_errors(form, error)
        return _tag_form_page(request, form, status=422)
    messages.success(request, _("Tag “%(name)s” created.") % {"name": tag.name})
    return redirect("customers:tag_list")


@permission_required(MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_update(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(selectors.tag_list(), pk=tag_id)
    if request.method != "POST":
        initial = {"name": tag.name, "color": tag.color, "group": tag.group, "version": tag.version}
        return _tag_form_page(request, TagForm(initial=initial), tag)
    form = TagForm(request.POST)
    if not form.is_valid():
        return _tag_form_page(request, form, tag, status=422)
    try:
        tag = services.tag_update(
            actor=request.user,
            tag=tag,
            expected_version=form.cleaned_data["version"],
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
            group=form.cleaned_data["group"],
        )
    except ApplicationError as error:
        _show_service_error(form, error)
        return _tag_form_page(request, form, tag, status=422)
    messages.success(request, _("Tag “%(name)s” saved.") % {"name": tag.name})
    return redirect("customers:tag_list")


@permission_required(MANAGE_TAGS)
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(selectors.tag_list(), pk=tag_id)
    name = tag.name
    try:
        services.tag_delete(actor=request.user, tag=tag)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tag “%(name)s” deleted.") % {"name": name})
    return redirect("customers:tag_list")


@permission_required(MANAGE_TAGS)
@require_http_methods(["GET", "POST"])
def tag_group_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("customers:tag_list")
    form = TagGroupForm(request.POST)
    if not form.is_valid():
        return _tag_list_page(request, form, status=422)
    try:
        group = services.tag_group_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            order=form.cleaned_data["order"] or 0,
        )
    except ApplicationError as error:
        apply_field_errors(form, error)
        return _tag_list_page(request, form, status=422)
    messages.success(request, _("Tag group “%(name)s” created.") % {"name": group.name})
    return redirect("customers:tag_list")


# --- custom fields ----------------------------------------------------------------


def _custom_field_or_404(custom_field_id: int) -> CustomField:
    for target in CustomFieldTarget.values:
        for definition in selectors.custom_field_definitions(target, include_inactive=True):
            if definition.pk == custom_field_id:
                return definition
    raise Http404("custom field")


def _custom_field_form_page(
    request: HttpRequest,
    form: CustomFieldForm,
    field: CustomField | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "customers/custom_field_form.html",
        {"form": form, "custom_field": field},
        status=status,
    )


@permission_required(MANAGE_CUSTOM_FIELDS)
@require_http_methods(["GET"])
def custom_field_list(request: HttpRequest) -> HttpResponse:
    sections = [
        (target, label, selectors.custom_field_definitions(target, include_inactive=True))
        for target, label in CustomFieldTarget.choices
    ]
    return render(request, "customers/custom_field_list.html", {"sections": sections})


@permission_required(MANAGE_CUSTOM_FIELDS)
@require_http_methods(["GET", "POST"])
def custom_field_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        target = request.GET.get("target", CustomFieldTarget.CUSTOMER)
        if target not in CustomFieldTarget.values:
            target = CustomFieldTarget.CUSTOMER
        return _custom_field_form_page(request, CustomFieldForm(initial={"target": target}))
    form = CustomFieldForm(request.POST)
    if not form.is_valid():
        return _custom_field_form_page(request, form, status=422)
    data = form.cleaned_data
    try:
        field = services.custom_field_create(
            actor=request.user,
            target=data["target"],
            key=data["key"],
            label=data["label"],
            field_type=data["field_type"],
            choices=data["choices"],
            is_required=data["is_required"],
            order=data["order"] or 0,
        )
    except ApplicationError as error:
        apply_field_errors(form, error)
        return _custom_field_form_page(request, form, status=422)
    messages.success(request, _("Custom field “%(label)s” created.") % {"label": field.label})
    return redirect("customers:custom_field_list")


@permission_required(MANAGE_CUSTOM_FIELDS)
@require_http_methods(["GET", "POST"])
def custom_field_update(request: HttpRequest, custom_field_id: int) -> HttpResponse:
    field = _custom_field_or_404(custom_field_id)
    if request.method != "POST":
        initial = {
            "label": field.label,
            "field_type": field.field_type,
            "choices": field.choices,
            "is_required": field.is_required,
            "is_active": field.is_active,
            "order": field.order,
            "version": field.version,
        }
        form = CustomFieldForm(initial=initial, is_update=True)
        return _custom_field_form_page(request, form, field)
    form = CustomFieldForm(request.POST, is_update=True)
    if not form.is_valid():
        return _custom_field_form_page(request, form, field, status=422)
    data = form.cleaned_data
    try:
        field = services.custom_field_update(
            actor=request.user,
            field=field,
            expected_version=data["version"],
            label=data["label"],
            field_type=data["field_type"],
            choices=data["choices"],
            is_required=data["is_required"],
            is_active=data["is_active"],
            order=data["order"] or 0,
        )
    except ApplicationError as error:
        _show_service_error(form, error)
        return _custom_field_form_page(request, form, field, status=422)
    messages.success(request, _("Custom field “%(label)s” saved.") % {"label": field.label})
    return redirect("customers:custom_field_list")
