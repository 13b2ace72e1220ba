"""Quotes: list, detail with actions, create and edit with dynamic lines, PDF."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers.selectors import (
    ContactFilter,
    contact_list,
    customer_get,
)
from guanxi.deals.selectors import OpportunityFilter, opportunity_get, opportunity_list
from guanxi.platform.exceptions import ApplicationError, ConflictError, NotFound
from guanxi.platform.money_words import amount_in_chinese_capitals
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.sales import selectors, services
from guanxi.sales.models import Quote, QuoteStatus
from guanxi.sales.quote_forms import (
    QUOTE_LINE_FIELDS,
    QuoteFilterForm,
    QuoteForm,
    QuoteRejectForm,
    quote_lines_from,
    quote_lines_of,
)
from guanxi.sales.quote_pdf import quote_pdf_bytes, quote_pdf_filename
from guanxi.sales.services.quotes import DEFAULT_VALIDITY_DAYS
from guanxi.sales.views._common import PAGE_SIZE, filter_query, sort_columns
from guanxi.sales.views._lines import (
    choosable_products,
    conflict_retry,
    customer_choices,
    customer_options,
    lines_context,
    owners,
    split_errors,
)

QUOTE_COLUMNS = {
    "date": gettext_lazy("Issued on"),
    "valid_until": gettext_lazy("Valid until"),
    "total": gettext_lazy("Total"),
}
DEFAULT_QUOTE_SORT = "-date"
CONTACT_CHOICES = 200
OPPORTUNITY_CHOICES = 100


def _quote(request: HttpRequest, quote_id: int, action: str = "view") -> Quote:
    try:
        return selectors.quote_get(actor=request.user, quote_id=quote_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _opportunities(request: HttpRequest, customer_id: int | None, keep: Any = None) -> list[Any]:
    """The customer's opportunities the user may see (open ones first), plus `keep`."""
    if not customer_id:
        return []
    found = list(
        opportunity_list(
            actor=request.user, filters=OpportunityFilter(customer=customer_id)
        ).order_by("-updated_at", "-id")[:OPPORTUNITY_CHOICES]
    )
    found.sort(key=lambda opportunity: opportunity.status != "open")
    if keep is not None and all(o.pk != keep.pk for o in found):
        found.insert(0, keep)
    return found


def _contacts(request: HttpRequest, customer_id: int | None) -> list[Any]:
    if not customer_id:
        return []
    qs = contact_list(actor=request.user, filters=ContactFilter(customer=customer_id))
    return list(qs.order_by("name", "id")[:CONTACT_CHOICES])


@login_required
@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.view_quote")
    form = QuoteFilterForm(request.GET or None, owners=owners(request))
    filters = form.to_filter() if form.is_bound else selectors.QuoteFilter()
    sort = request.GET.get("sort", DEFAULT_QUOTE_SORT)
    sort = sort if sort in selectors.QUOTE_SORTS else DEFAULT_QUOTE_SORT
    page = keyset_page(
        selectors.quote_list(actor=request.user, filters=filters),
        ordering=selectors.QUOTE_SORTS[sort],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    customer = None
    if filters.customer:
        try:
            customer = customer_get(actor=request.user, customer_id=filters.customer)
        except NotFound:
            customer = None
    context = {
        "form": form,
        "page": page,
        "customer": customer,
        "columns": sort_columns(sort, QUOTE_COLUMNS),
        "filter_query": filter_query(request),
        "filter_query_unsorted": filter_query(request, drop=("sort",)),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "quote-table",
        "can_add": has_permission(request.user, "sales.add_quote"),
    }
    template = "sales/quote_list.html"
    if getattr(request, "htmx", False):
        template += "#quote-table"
    return render(request, template, context)


@login_required
@require_GET
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id)
    can_change = has_permission(request.user, "sales.change_quote")
    is_open = quote.status in (QuoteStatus.DRAFT, QuoteStatus.SENT)
    context = {
        "quote": quote,
        "lines": list(quote.lines.all()),
        "pdfs": list(quote.pdfs.all()),
        "total_in_words": amount_in_chinese_capitals(quote.total),
        "can_change": can_change,
        "can_edit": can_change and quote.status != QuoteStatus.ACCEPTED,
        "can_send": can_change and quote.status == QuoteStatus.DRAFT,
        "can_decide": can_change and is_open,
        "can_convert": can_change
        and quote.status == QuoteStatus.ACCEPTED
        and quote.order_id is None
        and has_permission(request.user, "sales.add_order"),
        "can_delete": has_permission(request.user, "sales.delete_quote"),
        "reject_form": QuoteRejectForm(),
    }
    return render(request, "sales/quote_detail.html", context)


def _render_form(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    products = choosable_products(request, context.get("quote"))
    context["products"] = products
    context["products_json"] = json.dumps(
        {str(p.pk): {"name": p.name, "unit": p.unit} for p in products}, ensure_ascii=False
    )
    return render(request, "sales/quote_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.add_quote")
    initial_customer = initial_opportunity = None
    raw_opportunity = request.GET.get("opportunity")
    if raw_opportunity and request.method == "GET":
        # "New quote" from an opportunity: its customer and title come along.
        try:
            initial_opportunity = opportunity_get(
                actor=request.user, opportunity_id=raw_opportunity
            )
        except NotFound:
            initial_opportunity = None
    raw_customer = request.POST.get("customer") or request.GET.get("customer")
    if initial_opportunity is not None:
        raw_customer = initial_opportunity.customer_id
    if raw_customer:
        try:
            initial_customer = customer_get(actor=request.user, customer_id=raw_customer)
        except NotFound:
            initial_customer = None
    is_post = request.method == "POST"
    form = QuoteForm(
        request.POST if is_post else None,
        customers=customer_choices(request, initial_customer),
        owners=owners(request),
        contacts=_contacts(request, initial_customer.pk if initial_customer else None),
        opportunities=_opportunities(request, initial_customer.pk if initial_customer else None),
        initial_customer=initial_customer,
        initial_opportunity=initial_opportunity,
        default_validity_days=DEFAULT_VALIDITY_DAYS,
    )
    lines = quote_lines_from(request.POST) if is_post else [{}]
    line_errors: dict[int, dict[str, list[str]]] = {}
    lines_message: list[str] = []
    if is_post and form.is_valid():
        try:
            quote = services.quote_create(
                actor=request.user,
                customer=form.cleaned_data["customer"],
                lines=lines,
                **form.service_fields(is_create=True),
            )
        except ApplicationError as error:
            line_errors, lines_message = split_errors(form, error)
        else:
            messages.success(request, _("Quote %(number)s created.") % {"number": quote.number})
            return redirect("sales:quote_detail", quote_id=quote.pk)
    context = {
        "form": form,
        "is_create": True,
        "customer": initial_customer,
        **lines_context(lines, line_errors, lines_message, fields=QUOTE_LINE_FIELDS),
    }
    return _render_form(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def quote_update(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id, action="change")
    if quote.status == QuoteStatus.ACCEPTED:
        messages.error(request, _("An accepted quote cannot be changed."))
        return redirect("sales:quote_detail", quote_id=quote.pk)
    is_post = request.method == "POST"

    def build(data: Any) -> QuoteForm:
        return QuoteForm(
            data,
            customers=[quote.customer],
            owners=owners(request),
            contacts=_contacts(request, quote.customer_id),
            opportunities=_opportunities(request, quote.customer_id, keep=quote.opportunity),
            quote=quote,
        )

    form = build(request.POST if is_post else None)
    lines = quote_lines_from(request.POST) if is_post else quote_lines_of(quote)
    line_errors: dict[int, dict[str, list[str]]] = {}
    lines_message: list[str] = []
    conflict = None
    if is_post and form.is_valid():
        try:
            services.quote_update(
                actor=request.user,
                quote=quote,
                expected_version=form.cleaned_data["version"],
                lines=lines,
                **form.service_fields(is_create=False),
            )
        except ConflictError as error:
            form, conflict = conflict_retry(request, form, build, error)
        except NotFound as error:
            raise Http404(str(error)) from error
        except ApplicationError as error:
            line_errors, lines_message = split_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:quote_detail", quote_id=quote.pk)
    context = {
        "form": form,
        "quote": quote,
        "is_create": False,
        "customer": quote.customer,
        "conflict": conflict,
        **lines_context(lines, line_errors, lines_message, fields=QUOTE_LINE_FIELDS),
    }
    return _render_form(request, context)


def _run_action(request: HttpRequest, quote_id: int, action: Any, success: str) -> HttpResponse:
    """Run a status service; its refusal becomes a message on the detail page."""
    quote = _quote(request, quote_id, action="change")
    try:
        action(quote)
    except NotFound as error:
        raise Http404(str(error)) from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("sales:quote_detail", quote_id=quote_id)


def _posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@login_required
@require_POST
def quote_send(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _run_action(
        request,
        quote_id,
        lambda quote: services.quote_send(
            actor=request.user, quote=quote, expected_version=_posted_version(request)
        ),
        _("Marked as sent."),
    )


@login_required
@require_POST
def quote_accept(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _run_action(
        request,
        quote_id,
        lambda quote: services.quote_accept(
            actor=request.user, quote=quote, expected_version=_posted_version(request)
        ),
        _("Marked as accepted."),
    )


@login_required
@require_POST
def quote_reject(request: HttpRequest, quote_id: int) -> HttpResponse:
    form = QuoteRejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _run_action(
        request,
        quote_id,
        lambda quote: services.quote_reject(
            actor=request.user,
            quote=quote,
            expected_version=_posted_version(request),
            reason=reason,
        ),
        _("Marked as rejected."),
    )


@login_required
@require_POST
def quote_convert(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id, action="change")
    try:
        order = services.quote_convert_to_order(actor=request.user, quote=quote)
    except NotFound as error:
        raise Http404(str(error)) from error
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("sales:quote_detail", quote_id=quote_id)
    messages.success(request, _("Order %(number)s created.") % {"number": order.number})
    return redirect("sales:order_detail", order_id=order.pk)


@login_required
@require_POST
def quote_delete(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id, action="delete")
    services.quote_delete(actor=request.user, quote=quote)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("customers:customer_detail", customer_id=quote.customer_id)


@login_required
@require_GET
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The PDF as the quote stands now (`?inline=1` opens it in the browser)."""
    quote = _quote(request, quote_id)
    response = HttpResponse(quote_pdf_bytes(quote), content_type="application/pdf")
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{quote_pdf_filename(quote)}"'
    return response


@login_required
@require_POST
def quote_pdf_save(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = _quote(request, quote_id, action="change")
    try:
        document = services.quote_pdf_save(actor=request.user, quote=quote)
    except NotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, _("PDF %(name)s saved with the quote.") % {"name": document.filename})
    return redirect("sales:quote_detail", quote_id=quote_id)


@login_required
@require_GET
def quote_pdf_file(request: HttpRequest, quote_id: int, pdf_id: int) -> FileResponse:
    try:
        document = selectors.quote_pdf_get(actor=request.user, quote_id=quote_id, pdf_id=pdf_id)
        handle = document.file.open("rb")
    except (NotFound, OSError) as error:
        raise Http404("quote pdf") from error
    return FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type="application/pdf"
    )


@login_required
@require_GET
def quote_customer_options(request: HttpRequest) -> JsonResponse:
    """Customers in scope matching `q`, for the quote form's customer picker."""
    return customer_options(request, "sales.add_quote")


@login_required
@require_GET
def quote_contact_options(request: HttpRequest) -> JsonResponse:
    """The contacts and opportunities of one customer in scope, for the quote form."""
    require_page_permission(request, "sales.view_quote")
    raw = request.GET.get("customer") or ""
    customer_id = int(raw) if raw.isdigit() and len(raw) < 19 else None
    items = [{"value": c.pk, "text": c.name} for c in _contacts(request, customer_id)]
    opportunities = [{"value": o.pk, "text": o.title} for o in _opportunities(request, customer_id)]
    return JsonResponse({"items": items, "opportunities": opportunities})
