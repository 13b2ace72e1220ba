"""Duplicate customers and contacts: the ranked lists of likely pairs (two tabs),
dismiss, merge, undo.

Thin views (STYLE.md rule 7): every read goes through `duplicates` selectors that
scope both customers of a pair, every write through a service. A pair with a
customer outside the user's scope is a 404, like any other record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers import services
from guanxi.customers.duplicates import (
    REASON_LABELS,
    contact_merge_recent_list,
    contact_pair_dismiss,
    contact_pair_get,
    contact_pair_list,
    customer_merge_recent_list,
    duplicate_pair_get,
    duplicate_pair_list,
    live_contact_count,
    live_interaction_count,
)
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Contact, ContactDuplicatePair, Customer, DuplicatePair
from guanxi.customers.services.merge import (
    CONTACT_MERGE_FIELDS,
    DIFFERENT_CUSTOMERS,
    MERGE_FIELDS,
    OTHER,
    SURVIVOR,
    contact_merge,
    contact_merge_get,
    contact_merge_undo,
    default_contact_field_choices,
    default_field_choices,
)
from guanxi.platform.exceptions import (
    ApplicationError,
    ConflictError,
    NotFound,
    PermissionDenied,
)
from guanxi.platform.permissions import has_permission

PairT = TypeVar("PairT", DuplicatePair, ContactDuplicatePair)

PAGE_SIZE = 50
RECENT_MERGES = 10


def _pair(request: HttpRequest, pair_id: int, action: str = "view") -> DuplicatePair:
    return _or_404(duplicate_pair_get, request, pair_id, action)


def _or_404(getter: Callable[..., PairT], request: HttpRequest, pair_id: int, action: str) -> PairT:
    try:
        return getter(actor=request.user, pair_id=pair_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _reasons(pair: DuplicatePair | ContactDuplicatePair) -> list[str]:
    return [str(REASON_LABELS[code]) for code in pair.reasons or [] if code in REASON_LABELS]


TAB_CUSTOMERS, TAB_CONTACTS = "customers", "contacts"


def _page(pairs: Any, raw_number: str | None) -> dict[str, Any]:
    """One page of PAGE_SIZE pairs without counting them all (a COUNT over a million
    scoped pairs costs seconds): previous / next only, like every other list."""
    try:
        number = max(1, min(int(raw_number or 1), 10_000))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    items = list(pairs[start : start + PAGE_SIZE + 1])
    return {
        "items": items[:PAGE_SIZE],
        "number": number,
        "has_previous": number > 1,
        "has_next": len(items) > PAGE_SIZE,
        "previous_page_number": number - 1,
        "next_page_number": number + 1,
    }


@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Two tabs: customer pairs (default) and contact pairs (?tab=contacts)."""
    tab = TAB_CONTACTS if request.GET.get("tab") == TAB_CONTACTS else TAB_CUSTOMERS
    if tab == TAB_CONTACTS:
        pairs: Any = contact_pair_list(actor=request.user)
        recent_merges: list[Any] = contact_merge_recent_list(
            actor=request.user, limit=RECENT_MERGES
        )
        can_change = has_permission(request.user, "customers.change_contact")
    else:
        pairs = duplicate_pair_list(actor=request.user)
        recent_merges = customer_merge_recent_list(actor=request.user, limit=RECENT_MERGES)
        can_change = has_permission(request.user, "customers.change_customer")
    page = _page(pairs, request.GET.get("page"))
    rows = [{"pair": pair, "reasons": _reasons(pair)} for pair in page["items"]]
    if tab == TAB_CONTACTS:
        for row in rows:
            pair = row["pair"]
            row["contacts"] = [pair.contact_a, pair.contact_b]
            row["is_same_customer"] = pair.contact_a.customer_id == pair.contact_b.customer_id
    return render(
        request,
        "customers/duplicate_list.html",
        {
            "tab": tab,
            "page": page,
            "rows": rows,
            "recent_merges": recent_merges,
            "can_change": can_change,
            "can_find": has_permission(request.user, "customers.change_customer"),
        },
    )


@login_required
@require_POST
def duplicate_find(request: HttpRequest) -> HttpResponse:
    try:
        job = services.duplicates_find_start(actor=request.user)
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    return redirect("platform:job_detail", job_id=job.pk)


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = _pair(request, pair_id, action="change")
    try:
        services.duplicate_pair_dismiss(actor=request.user, pair=pair)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    messages.success(request, _("Marked as not a duplicate."))
    return redirect("customers:duplicate_list")


# --- the merge screens (customers and contacts) -----------------------------------


def _display(record: Customer | Contact, name: str) -> str:
    field = type(record)._meta.get_field(name)
    value = getattr(record, name)
    if value in (None, "", [], {}):
        return "—"
    if field.choices:
        return str(getattr(record, f"get_{name}_display")())
    return str(value)


def _field_rows(
    first: Customer | Contact, second: Customer | Contact, chosen: dict[str, str], fields: list[str]
) -> list[dict[str, Any]]:
    """One row per field for the side-by-side chooser (partials/duplicate_merge_fields.html)."""
    return [
        {
            "name": name,
            "label": str(type(first)._meta.get_field(name).verbose_name),
            "a": _display(first, name),
            "b": _display(second, name),
            "is_same": _display(first, name) == _display(second, name),
            "choice": chosen.get(name, "a"),
        }
        for name in fields
    ]


def _as_sides(defaults: dict[str, str]) -> dict[str, str]:
    """Per field "a" or "b" from the service's default survivor/other choices."""
    return {name: "b" if choice == OTHER else "a" for name, choice in defaults.items()}


def _posted_choices(request: HttpRequest, fields: list[str]) -> dict[str, str]:
    return {
        name: request.POST.get(f"field_{name}", "a")
        for name in fields
        if request.POST.get(f"field_{name}", "a") in ("a", "b")
    }


def _posted_merge(
    request: HttpRequest, first: Any, second: Any, fields: list[str]
) -> tuple[dict[str, str], str, dict[str, Any]]:
    """(chosen sides, survivor key, the merge service's keyword arguments) from the form."""
    chosen = _posted_choices(request, fields)
    survivor_key = "b" if request.POST.get("survivor") == "b" else "a"
    survivor, other = (first, second) if survivor_key == "a" else (second, first)
    arguments = {
        "survivor": survivor,
        "other": other,
        "field_choices": {
            name: SURVIVOR if choice == survivor_key else OTHER for name, choice in chosen.items()
        },
        "expected_versions": {
            first.pk: request.POST.get("version_a"),
            second.pk: request.POST.get("version_b"),
        },
    }
    return chosen, survivor_key, arguments


def _render_merge(
    request: HttpRequest,
    template: str,
    pair: DuplicatePair | ContactDuplicatePair,
    first: Any,
    second: Any,
    rows: list[dict[str, Any]],
    survivor_key: str,
    error_message: str,
    **extra: Any,
) -> HttpResponse:
    """The merge screen; 409 when a posted merge was refused."""
    context = {
        "pair": pair,
        "first": first,
        "second": second,
        "reasons": _reasons(pair),
        "rows": rows,
        "survivor_key": survivor_key,
        "phones_a": phones_for(request.user, first.phones),
        "phones_b": phones_for(request.user, second.phones),
        "emails_a": emails_for(request.user, first.emails),
        "emails_b": emails_for(request.user, second.emails),
        **extra,
        "error_message": error_message,
    }
    return render(
        request,
        template,
        context,
        status=409 if error_message and request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = _pair(request, pair_id, action="change")
    first, second = pair.customer_a, pair.customer_b
    chosen = _as_sides(default_field_choices(first, second))
    survivor_key = "a"
    error_message = ""
    if request.method == "POST":
        chosen, survivor_key, arguments = _posted_merge(request, first, second, MERGE_FIELDS)
        try:
            merge = services.customer_merge(actor=request.user, pair=pair, **arguments)
        except NotFound as error:
            raise Http404(str(error)) from error
        except ConflictError as error:
            error_message = error.message
            first.refresh_from_db()
            second.refresh_from_db()
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(
                request,
                _(
                    "“%(other)s” was merged into “%(survivor)s”. "
                    "You can undo it on the duplicates page."
                )
                % {"other": merge.other.name, "survivor": merge.survivor.name},
            )
            return redirect("customers:customer_detail", customer_id=merge.survivor_id)
    return _render_merge(
        request,
        "customers/customer_merge.html",
        pair,
        first,
        second,
        _field_rows(first, second, chosen, MERGE_FIELDS),
        survivor_key,
        error_message,
        contacts_a=live_contact_count(first),
        contacts_b=live_contact_count(second),
    )


@login_required
@require_POST
def customer_merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    try:
        merge = services.customer_merge_get(actor=request.user, merge_id=merge_id)
        services.customer_merge_undo(actor=request.user, merge=merge)
    except NotFound as error:
        raise Http404(str(error)) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("customers:duplicate_list")
    messages.success(request, _("The merge was undone."))
    return redirect("customers:customer_detail", customer_id=merge.other_id)


# --- contacts -----------------------------------------------------------------------


def _contact_pair(request: HttpRequest, pair_id: int, action: str = "view") -> ContactDuplicatePair:
    return _or_404(contact_pair_get, request, pair_id, action)


def _contacts_tab_url() -> str:
    return reverse("customers:duplicate_list") + "?tab=" + TAB_CONTACTS


@login_required
@require_POST
def contact_duplicate_dismiss(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = _contact_pair(request, pair_id, action="change")
    try:
        contact_pair_dismiss(actor=request.user, pair=pair)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    messages.success(request, _("Marked as not a duplicate."))
    return redirect(_contacts_tab_url())


@login_required
@require_http_methods(["GET", "POST"])
def contact_merge_view(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Both contacts side by side; choose the survivor and each field's value."""
    pair = _contact_pair(request, pair_id, action="change")
    first, second = pair.contact_a, pair.contact_b
    chosen = _as_sides(default_contact_field_choices(first, second))
    survivor_key = "a"
    error_message = ""
    is_same_customer = first.customer_id == second.customer_id
    if request.method == "POST":
        chosen, survivor_key, arguments = _posted_merge(
            request, first, second, CONTACT_MERGE_FIELDS
        )
        try:
            merge = contact_merge(actor=request.user, pair=pair, **arguments)
        except NotFound as error:
            raise Http404(str(error)) from error
        except PermissionDenied as error:
            raise DjangoPermissionDenied from error
        except ConflictError as error:
            error_message = error.message
            first.refresh_from_db()
            second.refresh_from_db()
        except ApplicationError as error:
            error_message = error.message
        else:
            messages.success(
                request,
                _(
                    "Contact “%(other)s” was merged into “%(survivor)s”. "
                    "You can undo it on the duplicates page."
                )
                % {"other": merge.other.name, "survivor": merge.survivor.name},
            )
            return redirect("customers:customer_detail", customer_id=merge.survivor.customer_id)
    return _render_merge(
        request,
        "customers/contact_merge.html",
        pair,
        first,
        second,
        _field_rows(first, second, chosen, CONTACT_MERGE_FIELDS),
        survivor_key,
        error_message,
        is_same_customer=is_same_customer,
        different_customers_message="" if is_same_customer else str(DIFFERENT_CUSTOMERS),
        follow_ups_a=live_interaction_count(first),
        follow_ups_b=live_interaction_count(second),
    )


@login_required
@require_POST
def contact_merge_undo_view(request: HttpRequest, merge_id: int) -> HttpResponse:
    try:
        merge = contact_merge_get(actor=request.user, merge_id=merge_id)
        contact_merge_undo(actor=request.user, merge=merge)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(_contacts_tab_url())
    messages.success(request, _("The merge was undone."))
    return redirect("customers:customer_detail", customer_id=merge.survivor.customer_id)
