"""Customer and contact lists, global search, bulk actions and saved views.

Lists page with keysets (never OFFSET, never COUNT(*)) so they stay fast at a
million rows; a GET form filters, column headers sort, and with htmx the same
view answers only the table fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanxi.customers import selectors, services
from guanxi.customers.forms.filters import BulkActionForm, ContactFilterForm, CustomerFilterForm
from guanxi.customers.permissions import EXPORT_CUSTOMERS, TRANSFER_CUSTOMERS
from guanxi.customers.selectors import (
    CONTACT_SORTS,
    CUSTOMER_SORTS,
    ContactFilter,
    CustomerFilter,
    saved_view_list,
)
from guanxi.platform.exceptions import ApplicationError, ValidationError
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission

PAGE_SIZE = 50
SEARCH_SIZE = 20
DEFAULT_SORT = "-id"
CUSTOMER_LIST = "customers"
CONTACT_LIST = "contacts"
# Query parameters that are not part of a saved view (position, not filter).
NON_FILTER_PARAMS = ("cursor",)


@dataclass(frozen=True)
class SortColumn:
    """A sortable column header: its label, the sort a click asks for, its arrow."""

    key: str
    label: str
    next_sort: str
    direction: str  # "asc", "desc" or ""


def _sort_of(request: HttpRequest, sorts: dict[str, list[str]]) -> str:
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in sorts else DEFAULT_SORT


def _sort_columns(current: str, columns: dict[str, Any]) -> dict[str, SortColumn]:
    """Clicking a column sorts ascending, clicking it again descending."""
    result = {}
    for key, label in columns.items():
        if current == key:
            result[key] = SortColumn(key, str(label), f"-{key}", "asc")
        elif current == f"-{key}":
            result[key] = SortColumn(key, str(label), key, "desc")
        else:
            result[key] = SortColumn(key, str(label), key, "")
    return result


def _filter_query(request: HttpRequest) -> str:
    """The current filters and sort as a query string, without the page position."""
    query: QueryDict = request.GET.copy()
    for name in NON_FILTER_PARAMS:
        query.pop(name, None)
    return query.urlencode()


def _unsorted_query(request: HttpRequest) -> str:
    """The current filters without position and sort, for the column-header links."""
    query: QueryDict = request.GET.copy()
    for name in (*NON_FILTER_PARAMS, "sort"):
        query.pop(name, None)
    return query.urlencode()


def _has_advanced_filters(request: HttpRequest) -> bool:
    """Whether any filter besides the search box is set (opens the filter panel)."""
    return any(value for name, value in request.GET.items() if name not in ("q", "sort", "cursor"))


def _safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


CUSTOMER_COLUMNS = {
    "name": gettext_lazy("Name"),
    "grade": gettext_lazy("Grade"),
    "stage": gettext_lazy("Stage"),
    "city": gettext_lazy("City"),
    "updated": gettext_lazy("Updated"),
}
CONTACT_COLUMNS = {
    "name": gettext_lazy("Name"),
    "updated": gettext_lazy("Updated"),
}


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET or None, actor=request.user)
    filters = form.to_filter() if form.is_bound else CustomerFilter()
    sort = _sort_of(request, CUSTOMER_SORTS)
    page = keyset_page(
        selectors.customer_list(actor=request.user, filters=filters),
        ordering=CUSTOMER_SORTS[sort],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    can_assign = has_permission(request.user, TRANSFER_CUSTOMERS)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "columns": _sort_columns(sort, CUSTOMER_COLUMNS),
        "filter_query": _filter_query(request),
        "filter_query_unsorted": _unsorted_query(request),
        "is_first_page": not request.GET.get("cursor"),
        "has_advanced_filters": _has_advanced_filters(request),
        "saved_views": saved_view_list(actor=request.user, list_name=CUSTOMER_LIST),
        "list_name": CUSTOMER_LIST,
        "bulk_form": BulkActionForm(actor=request.user, can_assign=can_assign),
        "can_assign": can_assign,
        "can_create": has_permission(request.user, "customers.add_customer"),
        "can_export": has_permission(request.user, EXPORT_CUSTOMERS),
    }
    template = "customers/customer_list.html"
    if request.htmx:
        template += "#customer-table"
    return render(request, template, context)


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET or None, actor=request.user)
    filters = form.to_filter() if form.is_bound else ContactFilter()
    sort = _sort_of(request, CONTACT_SORTS)
    page = keyset_page(
        selectors.contact_list(actor=request.user, filters=filters),
        ordering=CONTACT_SORTS[sort],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "columns": _sort_columns(sort, CONTACT_COLUMNS),
        "filter_query": _filter_query(request),
        "filter_query_unsorted": _unsorted_query(request),
        "is_first_page": not request.GET.get("cursor"),
        "has_advanced_filters": _has_advanced_filters(request),
        "saved_views": saved_view_list(actor=request.user, list_name=CONTACT_LIST),
        "list_name": CONTACT_LIST,
        "can_export": has_permission(request.user, EXPORT_CUSTOMERS),
    }
    template = "customers/contact_list.html"
    if request.htmx:
        template += "#contact-table"
    return render(request, template, context)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The navbar search: customers and contacts matching `q`, first 20 of each."""
    query = (request.GET.get("q") or "").strip()[:200]
    customers = contacts = None
    if query:
        customers = keyset_page(
            selectors.customer_list(actor=request.user, filters=CustomerFilter(q=query)),
            ordering=CUSTOMER_SORTS[DEFAULT_SORT],
            cursor=None,
            size=SEARCH_SIZE,
        )
        contacts = keyset_page(
            selectors.contact_list(actor=request.user, filters=ContactFilter(q=query)),
            ordering=CONTACT_SORTS[DEFAULT_SORT],
            cursor=None,
            size=SEARCH_SIZE,
        )
    return render(
        request,
        "customers/search.html",
        {"query": query, "customers": customers, "contacts": contacts},
    )


@login_required
@require_POST
def customer_bulk_action(request: HttpRequest) -> HttpResponse:
    """Queue a bulk action as a job and show its progress page."""
    list_url = reverse("customers:customer_list")
    can_assign = has_permission(request.user, TRANSFER_CUSTOMERS)
    form = BulkActionForm(request.POST, actor=request.user, can_assign=can_assign)
    back = _safe_next(request, request.POST.get("next"), list_url)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(back)
    try:
        job = services.customer_bulk_action_start(
            actor=request.user,
            customer_ids=form.cleaned_data["ids"],
            action=form.cleaned_data["action"],
            params=form.service_params(),
        )
    except ValidationError as error:
        for field_messages in error.field_errors.values():
            for message in field_messages:
                messages.error(request, message)
        if not error.field_errors:
            messages.error(request, error.message)
        return redirect(back)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect(back)
    return redirect("platform:job_detail", job_id=job.pk)


_LIST_URLS = {CUSTOMER_LIST: "customers:customer_list", CONTACT_LIST: "customers:contact_list"}


@login_required
@require_POST
def saved_view_create(request: HttpRequest) -> HttpResponse:
    list_name = request.POST.get("list_name", CUSTOMER_LIST)
    if list_name not in _LIST_URLS:
        list_name = CUSTOMER_LIST
    # Normalise what the browser sent: parsed and re-encoded, without the page position.
    posted = QueryDict((request.POST.get("query") or "").lstrip("?"), mutable=True)
    for name in NON_FILTER_PARAMS:
        posted.pop(name, None)
    query = posted.urlencode()
    list_url = reverse(_LIST_URLS[list_name])
    try:
        saved = services.saved_view_create(
            actor=request.user, list_name=list_name, name=request.POST.get("name", ""), query=query
        )
    except ApplicationError:
        messages.error(request, _("The view was not saved: give it a name."))
        return redirect(f"{list_url}?{query}" if query else list_url)
    messages.success(request, _("View “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{list_url}?{saved.query}" if saved.query else list_url)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, saved_view_id: int) -> HttpResponse:
    list_name = request.POST.get("list_name", CUSTOMER_LIST)
    saved = get_object_or_404(
        saved_view_list(actor=request.user, list_name=list_name), pk=saved_view_id
    )
    services.saved_view_delete(actor=request.user, saved_view=saved)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": saved.name})
    return redirect(_LIST_URLS.get(list_name, _LIST_URLS[CUSTOMER_LIST]))
