"""Pool pages: the pool (customers / leads tabs), claim, release, history, due soon, rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.platform.exceptions import ApplicationError, NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.pool import selectors, services
from guanxi.pool.forms import (
    RELEASE_REASONS,
    HistoryFilterForm,
    PoolFilterForm,
    PoolRuleForm,
    ReleaseForm,
)
from guanxi.pool.models import PoolRule
from guanxi.pool.permissions import ASSIGN_POOL, CLAIM_POOL, MANAGE_POOL_RULES, VIEW_POOL
from guanxi.pool.timeline_sources import event_title

PAGE_SIZE = 50
KINDS = ("customer", "lead")


def _kind(value: str) -> str:
    if value not in KINDS:
        raise Http404
    return value


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _pool_qs(request: HttpRequest, kind: str, form: PoolFilterForm) -> Any:
    if kind == "lead":
        return selectors.pool_lead_list(actor=request.user, filters=form.to_filter())
    return selectors.pool_customer_list(actor=request.user, filters=form.to_filter())


@login_required
@require_GET
def pool_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_POOL)
    if request.GET.get("badge"):
        return render(
            request,
            "pool/partials/holding_badge.html",
            {"holding": selectors.holding_of(request.user)},
        )
    kind = request.GET.get("kind") or "customer"
    kind = kind if kind in KINDS else "customer"
    params = request.GET.copy()
    params.pop("cursor", None)
    filter_params = params.copy()
    filter_params.pop("kind", None)
    form = PoolFilterForm(filter_params or None, kind=kind)
    page = keyset_page(
        _pool_qs(request, kind, form),
        ordering=selectors.POOL_SORTS["-id"],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    can_assign = has_permission(request.user, ASSIGN_POOL)
    context = {
        "kind": kind,
        "form": form,
        "page": page,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "pool-table",
        "now": timezone.now(),
        "holding": selectors.holding_of(request.user),
        "can_claim": has_permission(request.user, CLAIM_POOL),
        "can_assign": can_assign,
        "assignees": selectors.assignee_choices(actor=request.user) if can_assign else [],
    }
    template = "pool/pool_list.html"
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "pool-table":
        template += "#pool-table"
    return render(request, template, context)


def _row_response(request: HttpRequest, kind: str, record: Any, *, message: str, ok: bool) -> Any:
    return render(
        request,
        "pool/partials/pool_row_done.html",
        {"kind": kind, "record": record, "message": message, "is_ok": ok},
    )


@login_required
@require_POST
def pool_claim(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """Claim one record (htmx: the row answers in place; else back to the pool)."""
    require_page_permission(request, CLAIM_POOL)
    kind = _kind(kind)
    try:
        event = services.pool_claim(actor=request.user, **{kind: record_id})
    except NotFound as error:
        raise Http404(str(error)) from error
    except ApplicationError as error:
        if getattr(request, "htmx", False):
            return _row_response(request, kind, None, message=error.message, ok=False)
        messages.error(request, error.message)
        return redirect(_next_url(request, reverse("pool:pool_list") + f"?kind={kind}"))
    record = event.record
    text = _("You claimed “%(name)s”.") % {"name": record}
    if getattr(request, "htmx", False):
        response = _row_response(request, kind, record, message=text, ok=True)
        response["HX-Trigger"] = "pool-held-changed"
        return response
    messages.success(request, text)
    return redirect(_next_url(request, reverse("pool:pool_list") + f"?kind={kind}"))


@login_required
@require_POST
def pool_claim_bulk(request: HttpRequest) -> HttpResponse:
    """Claim (or, for managers, assign) the ticked rows of one tab."""
    kind = request.POST.get("kind") if request.POST.get("kind") in KINDS else "customer"
    ids = [value for value in request.POST.getlist("ids") if value.isdigit()][:200]
    back = reverse("pool:pool_list") + f"?kind={kind}"
    if not ids:
        messages.warning(request, _("Tick the rows first."))
        return redirect(_next_url(request, back))
    assignee = request.POST.get("assignee") or ""
    if request.POST.get("action") == "assign":
        require_page_permission(request, ASSIGN_POOL)
        claimed, errors = [], {}
        for pk in ids:
            try:
                services.pool_assign(actor=request.user, assignee=assignee, **{kind: pk})
            except NotFound:
                errors[pk] = _("This record does not exist or you cannot see it.")
            except ApplicationError as error:
                errors[pk] = error.message
                if isinstance(error, services.OverLimit | ValidationError):
                    break
            else:
                claimed.append(pk)
        done_text = _("Assigned %(count)s records.")
    else:
        require_page_permission(request, CLAIM_POOL)
        key = "customer_ids" if kind == "customer" else "lead_ids"
        result = services.pool_claim_many(actor=request.user, **{key: ids})
        claimed, errors = result.claimed, result.errors
        done_text = _("Claimed %(count)s records.")
    if claimed:
        messages.success(request, done_text % {"count": len(claimed)})
    for message in dict.fromkeys(errors.values()):
        messages.error(request, message)
    return redirect(_next_url(request, back))


@login_required
@require_http_methods(["GET", "POST"])
def pool_release(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """Put a held record back in the pool, with a reason."""
    if not (has_permission(request.user, CLAIM_POOL) or has_permission(request.user, ASSIGN_POOL)):
        raise DjangoPermissionDenied
    kind = _kind(kind)
    default = (
        reverse("customers:customer_detail", args=[record_id])
        if kind == "customer"
        else reverse("pool:pool_list") + "?kind=lead"
    )
    form = ReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.pool_release(
                actor=request.user, reason=form.cleaned_data["reason"], **{kind: record_id}
            )
        except NotFound as error:
            raise Http404(str(error)) from error
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(
                request, _("“%(name)s” is back in the shared pool.") % {"name": event.record}
            )
            # The releasing rep no longer sees the record: back to the pool, not to it.
            return redirect(reverse("pool:pool_list") + f"?kind={kind}")
    return render(
        request,
        "pool/pool_release.html",
        {
            "form": form,
            "kind": kind,
            "record_id": record_id,
            "reasons": RELEASE_REASONS,
            "next": _next_url(request, default),
        },
    )


@login_required
@require_GET
def pool_history(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_POOL)
    params = request.GET.copy()
    params.pop("cursor", None)
    form = HistoryFilterForm(params or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = keyset_page(
        selectors.pool_event_list(actor=request.user, kind=kind),
        ordering=["-created_at", "-id"],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    rows = [{"event": event, "title": event_title(event)} for event in page.items]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "pool-history-table",
    }
    template = "pool/pool_history.html"
    if getattr(request, "htmx", False) and request.headers.get("HX-Target") == "pool-history-table":
        template += "#pool-history-table"
    return render(request, template, context)


@login_required
@require_GET
def pool_due(request: HttpRequest) -> HttpResponse:
    """The actor's records that were warned: they go back to the pool soon."""
    require_page_permission(request, VIEW_POOL)
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "customer"
    records = list(selectors.pool_due_list(actor=request.user, kind=kind).order_by("id")[:200])
    return render(request, "pool/pool_due.html", {"kind": kind, "records": records})


# --- rules ---------------------------------------------------------------------------


def _rule(request: HttpRequest, rule_id: int) -> PoolRule:
    rule = selectors.pool_rule_list(actor=request.user).filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@login_required
@require_GET
def pool_rule_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_POOL_RULES)
    return render(
        request,
        "pool/pool_rule_list.html",
        {"rules": list(selectors.pool_rule_list(actor=request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pool_rule_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_POOL_RULES)
    form = PoolRuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_rule_create(
                actor=request.user, team=form.cleaned_data["team"], **form.service_fields()
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Pool rule saved."))
            return redirect("pool:pool_rule_list")
    return render(request, "pool/pool_rule_form.html", {"form": form, "is_create": True})


@login_required
@require_http_methods(["GET", "POST"])
def pool_rule_update(request: HttpRequest, rule_id: int) -> HttpResponse:
    require_page_permission(request, MANAGE_POOL_RULES)
    rule = _rule(request, rule_id)
    form = PoolRuleForm(request.POST if request.method == "POST" else None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_rule_update(
                actor=request.user,
                rule=rule,
                expected_version=request.POST.get("version"),
                **form.service_fields(),
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Pool rule saved."))
            return redirect("pool:pool_rule_list")
    return render(
        request, "pool/pool_rule_form.html", {"form": form, "rule": rule, "is_create": False}
    )


@login_required
@require_POST
def pool_rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    require_page_permission(request, MANAGE_POOL_RULES)
    services.pool_rule_delete(actor=request.user, rule=_rule(request, rule_id))
    messages.success(request, _("Pool rule deleted."))
    return redirect("pool:pool_rule_list")
