"""Orders: list, detail, create and edit with dynamic lines, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers.selectors import customer_get
from guanxi.platform.exceptions import (
    ApplicationError,
    ConflictError,
    NotFound,
    PermissionDenied,
)
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.sales import selectors, services
from guanxi.sales.exports import order_export_csv
from guanxi.sales.forms import LINE_FIELDS, OrderFilterForm, OrderForm, lines_from, lines_of
from guanxi.sales.models import Order
from guanxi.sales.permissions import EXPORT_ORDERS
from guanxi.sales.views._common import PAGE_SIZE, filter_query, sort_columns
from guanxi.sales.views._lines import (
    choosable_products,
    conflict_retry,
    customer_choices,
    lines_context,
    owners,
    split_errors,
)
from guanxi.sales.views._lines import customer_options as customer_options_response

ORDER_COLUMNS = {"date": gettext_lazy("Date"), "total": gettext_lazy("Total")}
DEFAULT_ORDER_SORT = "-date"


def _order(request: HttpRequest, order_id: int, action: str = "view") -> Order:
    try:
        return selectors.order_get(actor=request.user, order_id=order_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.view_order")
    form = OrderFilterForm(request.GET or None, owners=owners(request))
    filters = form.to_filter() if form.is_bound else selectors.OrderFilter()
    sort = request.GET.get("sort", DEFAULT_ORDER_SORT)
    sort = sort if sort in selectors.ORDER_SORTS else DEFAULT_ORDER_SORT
    page = keyset_page(
        selectors.order_list(actor=request.user, filters=filters),
        ordering=selectors.ORDER_SORTS[sort],
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
        "columns": sort_columns(sort, ORDER_COLUMNS),
        "filter_query": filter_query(request),
        "filter_query_unsorted": filter_query(request, drop=("sort",)),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "order-table",
        "can_add": has_permission(request.user, "sales.add_order"),
        "can_export": has_permission(request.user, EXPORT_ORDERS),
    }
    template = "sales/order_list.html"
    if getattr(request, "htmx", False):
        template += "#order-table"
    return render(request, template, context)


@login_required
@require_GET
def order_export(request: HttpRequest) -> HttpResponse:
    """The order list as CSV with the filters on screen (and so the same scope)."""
    form = OrderFilterForm(request.GET or None, owners=owners(request))
    filters = form.to_filter() if form.is_bound else selectors.OrderFilter()
    try:
        lines = order_export_csv(actor=request.user, filters=filters)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"orders-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    context = {
        "order": order,
        "lines": list(order.lines.all()),
        "can_change": has_permission(request.user, "sales.change_order"),
        "can_delete": has_permission(request.user, "sales.delete_order"),
    }
    return render(request, "sales/order_detail.html", context)


def _render_form(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    context["products"] = choosable_products(request, context.get("order"))
    return render(request, "sales/order_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.add_order")
    initial_customer = None
    raw_customer = request.POST.get("customer") or request.GET.get("customer")
    if raw_customer:
        try:
            initial_customer = customer_get(actor=request.user, customer_id=raw_customer)
        except NotFound:
            initial_customer = None
    is_post = request.method == "POST"
    form = OrderForm(
        request.POST if is_post else None,
        customers=customer_choices(request, initial_customer),
        owners=owners(request),
        initial_customer=initial_customer,
    )
    lines = lines_from(request.POST) if is_post else [{}]
    line_errors: dict[int, dict[str, list[str]]] = {}
    lines_message: list[str] = []
    if is_post and form.is_valid():
        try:
            order = services.order_create(
                actor=request.user,
                customer=form.cleaned_data["customer"],
                lines=lines,
                **form.service_fields(is_create=True),
            )
        except ApplicationError as error:
            line_errors, lines_message = split_errors(form, error)
        else:
            messages.success(request, _("Order %(number)s created.") % {"number": order.number})
            return redirect("sales:order_detail", order_id=order.pk)
    context = {
        "form": form,
        "is_create": True,
        "customer": initial_customer,
        **lines_context(lines, line_errors, lines_message, fields=LINE_FIELDS),
    }
    return _render_form(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def order_update(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id, action="change")
    is_post = request.method == "POST"

    def build(data: Any) -> OrderForm:
        return OrderForm(
            data,
            customers=[order.customer],
            owners=owners(request),
            order=order,
        )

    form = build(request.POST if is_post else None)
    lines = lines_from(request.POST) if is_post else lines_of(order)
    line_errors: dict[int, dict[str, list[str]]] = {}
    lines_message: list[str] = []
    conflict = None
    if is_post and form.is_valid():
        try:
            services.order_update(
                actor=request.user,
                order=order,
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
            return redirect("sales:order_detail", order_id=order.pk)
    context = {
        "form": form,
        "order": order,
        "is_create": False,
        "customer": order.customer,
        "conflict": conflict,
        **lines_context(lines, line_errors, lines_message, fields=LINE_FIELDS),
    }
    return _render_form(request, context)


@login_required
@require_POST
def order_delete(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id, action="delete")
    customer_id = order.customer_id
    services.order_delete(actor=request.user, order=order)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("customers:customer_detail", customer_id=customer_id)


@login_required
@require_GET
def customer_options(request: HttpRequest) -> JsonResponse:
    """Customers in scope matching `q`, for the order form's customer picker."""
    return customer_options_response(request, "sales.add_order")


@login_required
@require_GET
def order_line_price(request: HttpRequest) -> JsonResponse:
    """The default unit price of a product for a customer (price list of its grade)."""
    try:
        product = selectors.product_get(actor=request.user, product_id=request.GET.get("product"))
    except NotFound:
        return JsonResponse({"unit_price": None}, status=404)
    customer = None
    if request.GET.get("customer"):
        try:
            customer = customer_get(actor=request.user, customer_id=request.GET.get("customer"))
        except NotFound:
            customer = None
    prices = selectors.default_unit_prices(customer, [product])
    return JsonResponse({"unit_price": str(prices[product.pk])})
