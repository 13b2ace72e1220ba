"""Opportunity list, detail (stage history, time per stage), forms, win/lose/reopen."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers.selectors import (
    ContactFilter,
    contact_list,
    customer_get,
)
from guanxi.customers.views.detail import _save_versioned_form
from guanxi.customers.views.lists import _sort_columns
from guanxi.customers.views.pickers import customer_picker_json
from guanxi.deals import selectors, services
from guanxi.deals.forms import LoseForm, OpportunityFilterForm, OpportunityForm
from guanxi.deals.permissions import (
    ADD_OPPORTUNITY,
    CHANGE_OPPORTUNITY,
    DELETE_OPPORTUNITY,
    VIEW_OPPORTUNITY,
)
from guanxi.deals.views._common import filter_widgets, get_opportunity
from guanxi.platform.exceptions import ApplicationError, ConflictError, NotFound
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission

PAGE_SIZE = 50
DEFAULT_SORT = "close"
COLUMNS = {
    "close": gettext_lazy("Expected close"),
    "amount": gettext_lazy("Amount"),
}


def _filter_query(request: HttpRequest, *, drop: tuple[str, ...] = ()) -> str:
    query = request.GET.copy()
    for name in ("cursor", *drop):
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_OPPORTUNITY)
    owners, teams = filter_widgets(request)
    pipelines = selectors.pipeline_list(actor=request.user)
    params = request.GET.copy()
    for name in ("cursor", "sort"):
        params.pop(name, None)
    form = OpportunityFilterForm(params or None, owners=owners, teams=teams, pipelines=pipelines)
    sort = request.GET.get("sort", DEFAULT_SORT)
    sort = sort if sort in selectors.OPPORTUNITY_SORTS else DEFAULT_SORT
    page = keyset_page(
        selectors.opportunity_list(actor=request.user, filters=form.to_filter()),
        ordering=selectors.OPPORTUNITY_SORTS[sort],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "columns": _sort_columns(sort, COLUMNS),
        "filter_query": _filter_query(request),
        "filter_query_unsorted": _filter_query(request, drop=("sort",)),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "opportunity-table",
        "can_add": has_permission(request.user, ADD_OPPORTUNITY),
    }
    template = "deals/opportunity_list.html"
    if getattr(request, "htmx", False):
        template += "#opportunity-table"
    return render(request, template, context)


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_OPPORTUNITY)
    opportunity = get_opportunity(request, opportunity_id)
    history = selectors.stage_history(opportunity=opportunity)
    pipeline = selectors.pipeline_get(actor=request.user, pipeline_id=opportunity.pipeline_id)
    can_change = has_permission(request.user, CHANGE_OPPORTUNITY)
    return render(
        request,
        "deals/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "pipeline": pipeline,
            "history": history,
            "stage_times": selectors.time_in_stages(opportunity=opportunity, history=history),
            "can_change": can_change,
            "can_delete": has_permission(request.user, DELETE_OPPORTUNITY),
            "lose_form": LoseForm(initial={"version": opportunity.version}),
        },
    )


def _contacts(request: HttpRequest, customer: Any) -> list[Any]:
    if customer is None:
        return []
    return list(contact_list(actor=request.user, filters=ContactFilter(customer=customer.pk))[:200])


def _customer(request: HttpRequest, value: Any) -> Any:
    if not value:
        return None
    try:
        return customer_get(actor=request.user, customer_id=value)
    except NotFound:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, ADD_OPPORTUNITY)
    pipelines = selectors.pipeline_list(actor=request.user)
    wanted = request.POST.get("pipeline") or request.GET.get("pipeline")
    pipeline = next((p for p in pipelines if str(p.pk) == str(wanted)), pipelines[0])
    customer = _customer(request, request.POST.get("customer") or request.GET.get("customer"))
    stage = request.GET.get("stage")
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        pipeline=pipeline,
        owners=selectors.owner_choices(actor=request.user),
        customer=customer,
        contacts=_contacts(request, customer),
        initial={
            "owner": request.user.pk,
            "customer": getattr(customer, "pk", None),
            "stage": stage,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(
                actor=request.user, pipeline=pipeline, **form.service_fields()
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(
                request, _("Opportunity “%(title)s” created.") % {"title": opportunity.title}
            )
            return redirect("deals:opportunity_detail", opportunity_id=opportunity.pk)
    return render(
        request,
        "deals/opportunity_form.html",
        {"form": form, "is_create": True, "pipeline": pipeline, "pipelines": pipelines},
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_update(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_OPPORTUNITY)
    opportunity = get_opportunity(request, opportunity_id, action="change")
    pipeline = selectors.pipeline_get(actor=request.user, pipeline_id=opportunity.pipeline_id)
    owners = selectors.owner_choices(actor=request.user)
    posted_customer = _customer(request, request.POST.get("customer")) or opportunity.customer
    contacts = _contacts(request, posted_customer)

    def build(data: Any) -> OpportunityForm:
        return OpportunityForm(
            data,
            pipeline=pipeline,
            owners=owners,
            contacts=contacts,
            opportunity=opportunity,
        )

    form = build(request.POST if request.method == "POST" else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,  # type: ignore[arg-type]
            form,
            lambda valid: services.opportunity_update(
                actor=request.user,
                opportunity=opportunity,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            build,
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("deals:opportunity_detail", opportunity_id=opportunity.pk)
    return render(
        request,
        "deals/opportunity_form.html",
        {
            "form": form,
            "opportunity": opportunity,
            "pipeline": pipeline,
            "is_create": False,
            "conflict": conflict,
        },
    )


def _action(request: HttpRequest, opportunity_id: int, run: Any) -> HttpResponse:
    """Run win/lose/reopen; errors come back as messages on the detail page."""
    require_page_permission(request, CHANGE_OPPORTUNITY)
    opportunity = get_opportunity(request, opportunity_id, action="change")
    try:
        run(opportunity)
    except ConflictError as error:
        messages.warning(request, error.message)
    except NotFound as error:
        raise Http404(str(error)) from error
    except ApplicationError as error:
        texts = [m for values in getattr(error, "field_errors", {}).values() for m in values]
        messages.error(request, " ".join(texts) or error.message)
    return redirect("deals:opportunity_detail", opportunity_id=opportunity_id)


@login_required
@require_POST
def opportunity_win(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def run(opportunity: Any) -> None:
        services.opportunity_win(
            actor=request.user,
            opportunity=opportunity,
            expected_version=request.POST.get("version") or None,
        )
        messages.success(request, _("Won! Congratulations."))

    return _action(request, opportunity_id, run)


@login_required
@require_POST
def opportunity_lose(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def run(opportunity: Any) -> None:
        services.opportunity_lose(
            actor=request.user,
            opportunity=opportunity,
            expected_version=request.POST.get("version") or None,
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("Marked as lost."))

    return _action(request, opportunity_id, run)


@login_required
@require_POST
def opportunity_reopen(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def run(opportunity: Any) -> None:
        services.opportunity_reopen(
            actor=request.user,
            opportunity=opportunity,
            expected_version=request.POST.get("version") or None,
            expected_close_on=request.POST.get("expected_close_on") or None,
        )
        messages.success(request, _("Reopened."))

    return _action(request, opportunity_id, run)


@login_required
@require_POST
def opportunity_delete(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_OPPORTUNITY)
    opportunity = get_opportunity(request, opportunity_id, action="delete")
    services.opportunity_delete(actor=request.user, opportunity=opportunity)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("deals:opportunity_list")


@login_required
@require_GET
def customer_options(request: HttpRequest) -> JsonResponse:
    """Customers in scope matching `q`, for the opportunity form's customer picker."""
    require_page_permission(request, ADD_OPPORTUNITY)
    return customer_picker_json(request)
