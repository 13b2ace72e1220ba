"""Lead pages: list with filters, create, detail with follow-ups, edit (with the
conflict screen), disqualify, convert (with the duplicate check), delete, and the
assignment rule settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers.duplicates.keys import REASON_LABELS
from guanxi.customers.selectors import can_see_contact_details
from guanxi.customers.views.detail import _save_versioned_form
from guanxi.customers.views.pickers import customer_picker_json
from guanxi.leads import selectors, services
from guanxi.leads.forms import (
    AssignmentRuleForm,
    ConvertForm,
    DisqualifyForm,
    LeadActivityForm,
    LeadFilterForm,
    LeadForm,
)
from guanxi.leads.models import AssignmentMethod, Lead, LeadSource
from guanxi.leads.permissions import (
    ADD_LEAD,
    CHANGE_LEAD,
    CONVERT_LEAD,
    DELETE_LEAD,
    MANAGE_ASSIGNMENT,
    VIEW_LEAD,
)
from guanxi.platform.exceptions import ApplicationError, NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission

PAGE_SIZE = 50


def _lead(request: HttpRequest, lead_id: int, action: str = "view") -> Lead:
    try:
        return selectors.lead_get(actor=request.user, lead_id=lead_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


# Service error keys of lead_convert -> the convert form's fields.
CONVERT_ERROR_FIELDS = {
    "customer.name": "customer_name",
    "opportunity.title": "opportunity_title",
    "opportunity.amount": "opportunity_amount",
    "opportunity.expected_close_on": "opportunity_close_on",
}


def _has_opportunities(actor: Any) -> bool:
    try:
        from guanxi.deals.services import opportunity_create  # noqa: F401
    except ImportError:
        return False
    return has_permission(actor, "deals.add_opportunity")


def _for_convert_form(error: ApplicationError) -> ApplicationError:
    if not isinstance(error, ValidationError):
        return error
    return ValidationError(
        error.message,
        field_errors={
            CONVERT_ERROR_FIELDS.get(key, key): messages
            for key, messages in error.field_errors.items()
        },
    )


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_LEAD)
    params = request.GET.copy()
    params.pop("cursor", None)
    form = LeadFilterForm(params or None, owners=selectors.owner_choices(actor=request.user))
    page = keyset_page(
        selectors.lead_list(actor=request.user, filters=form.to_filter(request.user)),
        ordering=selectors.LEAD_SORTS["-id"],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "lead-table",
        "can_add": has_permission(request.user, ADD_LEAD),
        "can_manage_rules": has_permission(request.user, MANAGE_ASSIGNMENT),
    }
    template = "leads/lead_list.html"
    if getattr(request, "htmx", False):
        template += "#lead-table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, ADD_LEAD)
    form = LeadForm(
        request.POST if request.method == "POST" else None,
        owners=selectors.owner_choices(actor=request.user),
        teams=selectors.team_choices(actor=request.user),
        initial={"owner": request.user.pk, "source": LeadSource.MANUAL},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Lead “%(name)s” created.") % {"name": lead.name})
            if selectors.lead_list(actor=request.user).filter(pk=lead.pk).exists():
                return redirect("leads:lead_detail", lead.pk)
            return redirect("leads:lead_list")  # assigned to someone the actor cannot see
    return render(request, "leads/lead_form.html", {"form": form, "is_create": True})


@login_required
@require_GET
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_LEAD)
    lead = _lead(request, lead_id)
    return render(request, "leads/lead_detail.html", _detail_context(request, lead))


def _detail_context(request: HttpRequest, lead: Lead, **extra: Any) -> dict[str, Any]:
    is_open = not lead.is_converted
    can_change = is_open and selectors.lead_can(request.user, lead, "change")
    return {
        "lead": lead,
        "activities": selectors.lead_activity_list(lead=lead),
        "activity_form": extra.pop("activity_form", None) or LeadActivityForm(),
        "can_change": can_change and has_permission(request.user, CHANGE_LEAD),
        "can_convert": can_change
        and lead.status != "disqualified"
        and has_permission(request.user, CONVERT_LEAD),
        "can_delete": has_permission(request.user, DELETE_LEAD)
        and selectors.lead_can(request.user, lead, "delete"),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def lead_update(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_LEAD)
    lead = _lead(request, lead_id, action="change")
    if lead.is_converted:
        messages.info(request, _("A converted lead can no longer be changed."))
        return redirect("leads:lead_detail", lead.pk)
    owners = selectors.owner_choices(actor=request.user)
    teams = selectors.team_choices(actor=request.user)
    can_see = can_see_contact_details(request.user)
    form = LeadForm(
        request.POST if request.method == "POST" else None,
        owners=owners,
        teams=teams,
        lead=lead,
        can_see_contact_details=can_see,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,  # type: ignore[arg-type]
            form,
            lambda valid: services.lead_update(
                actor=request.user,
                lead=lead,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            lambda data: LeadForm(
                data, owners=owners, teams=teams, lead=lead, can_see_contact_details=can_see
            ),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            if selectors.lead_list(actor=request.user).filter(pk=lead.pk).exists():
                return redirect("leads:lead_detail", lead.pk)
            return redirect("leads:lead_list")
    return render(
        request,
        "leads/lead_form.html",
        {"form": form, "lead": lead, "is_create": False, "conflict": conflict},
    )


@login_required
@require_POST
def lead_activity_create(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_LEAD)
    lead = _lead(request, lead_id, action="change")
    form = LeadActivityForm(request.POST)
    if form.is_valid():
        try:
            services.lead_activity_create(
                actor=request.user,
                lead=lead,
                kind=form.cleaned_data["kind"],
                content=form.cleaned_data["content"],
                occurred_at=form.cleaned_data.get("occurred_at"),
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("leads:lead_detail", lead.pk)
    lead = _lead(request, lead_id)
    return render(
        request,
        "leads/lead_detail.html",
        _detail_context(request, lead, activity_form=form),
        status=422,
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_LEAD)
    lead = _lead(request, lead_id, action="change")
    form = DisqualifyForm(
        request.POST if request.method == "POST" else None,
        initial={"version": lead.version, "reason": lead.disqualify_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_disqualify(
                actor=request.user,
                lead=lead,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
            if "reason" not in form.errors and "disqualify_reason" in getattr(
                error, "field_errors", {}
            ):
                form.add_error("reason", error.field_errors["disqualify_reason"][0])
        else:
            messages.success(request, _("Lead disqualified."))
            return redirect("leads:lead_detail", lead.pk)
    return render(request, "leads/lead_disqualify.html", {"lead": lead, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, CONVERT_LEAD)
    lead = _lead(request, lead_id, action="convert")
    if lead.is_converted:
        return redirect("leads:lead_detail", lead.pk)
    candidates = selectors.duplicate_candidates(actor=request.user, lead=lead)
    attachable = [c for c in candidates if c.is_visible]
    has_opportunities = _has_opportunities(request.user)
    form = ConvertForm(
        request.POST if request.method == "POST" else None,
        candidates=candidates,
        has_opportunities=has_opportunities,
        initial={
            "version": lead.version,
            "target": ConvertForm.ATTACH if attachable else ConvertForm.NEW,
            "customer": attachable[0].customer.pk if attachable else None,
            "customer_name": lead.company or lead.name,
            "opportunity_title": lead.company or lead.name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.lead_convert(actor=request.user, lead=lead, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, _for_convert_form(error))
        else:
            messages.success(
                request,
                _("Lead converted: customer “%(customer)s”, contact “%(contact)s”.")
                % {"customer": result.customer.name, "contact": result.contact.name},
            )
            return redirect("customers:customer_detail", result.customer.pk)
    for candidate in candidates:
        candidate.labels = [str(REASON_LABELS.get(code, code)) for code in candidate.reasons]
    return render(
        request,
        "leads/lead_convert.html",
        {"lead": lead, "form": form, "candidates": candidates},
    )


@login_required
@require_GET
def customer_options(request: HttpRequest) -> JsonResponse:
    """Customers the user may edit matching `q`, for the convert form's picker."""
    require_page_permission(request, CONVERT_LEAD)
    return customer_picker_json(request, action="change")


@login_required
@require_POST
def lead_delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_LEAD)
    lead = _lead(request, lead_id, action="delete")
    services.lead_delete(actor=request.user, lead=lead)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("leads:lead_list")


# --- assignment rules -------------------------------------------------------------------


@login_required
@require_GET
def assignment_rule_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_ASSIGNMENT)
    from guanxi.accounts.selectors import team_list

    rules = {rule.team_id: rule for rule in selectors.assignment_rule_list()}
    rows = [
        (team, rules.get(team.pk))
        for team in team_list(actor=request.user)
        if selectors.may_manage_team(request.user, team)
    ]
    return render(request, "leads/assignment_rule_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_rule_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    require_page_permission(request, MANAGE_ASSIGNMENT)
    from guanxi.accounts.selectors import team_get

    try:
        team = team_get(actor=request.user, team_id=team_id)
    except (NotFound, ApplicationError) as error:
        raise Http404 from error
    if not selectors.may_manage_team(request.user, team):
        raise Http404
    rule = selectors.assignment_rule_for_team(team.pk)
    users = selectors.owner_choices(actor=request.user)
    initial: dict[str, Any] = {"method": AssignmentMethod.ROUND_ROBIN, "is_active": True}
    if rule is not None:
        initial = {
            "method": rule.method,
            "is_active": rule.is_active,
            "members": [member.pk for member in rule.members.all()],
            "targets": "\n".join(
                f"{target.key} = {target.member.username}" for target in rule.targets.all()
            ),
            "version": rule.version,
        }
    form = AssignmentRuleForm(
        request.POST if request.method == "POST" else None, users=users, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_rule_save(
                actor=request.user,
                team=team,
                method=data["method"],
                members=data.get("members") or [],
                targets=data.get("targets") or [],
                is_active=data.get("is_active", False),
                expected_version=data.get("version"),
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Assignment rule saved."))
            return redirect("leads:assignment_rule_list")
    return render(
        request,
        "leads/assignment_rule_form.html",
        {"form": form, "team": team, "rule": rule, "sources": LeadSource.choices},
    )
