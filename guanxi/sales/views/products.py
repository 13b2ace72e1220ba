"""Products and price lists: list, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.customers.views.detail import _save_versioned_form
from guanxi.platform.exceptions import ApplicationError, NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.sales import selectors, services
from guanxi.sales.forms import PriceListForm, ProductFilterForm, ProductForm, price_items_from
from guanxi.sales.permissions import MANAGE_PRICE_LISTS
from guanxi.sales.views._common import PAGE_SIZE, filter_query, sort_columns

PRODUCT_COLUMNS = {
    "sku": gettext_lazy("SKU"),
    "name": gettext_lazy("Name"),
    "price": gettext_lazy("List price"),
}
DEFAULT_PRODUCT_SORT = "sku"


def _product(request: HttpRequest, product_id: int) -> Any:
    try:
        return selectors.product_get(actor=request.user, product_id=product_id)
    except NotFound as error:
        raise Http404(str(error)) from error


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.view_product")
    form = ProductFilterForm(
        request.GET or None, categories=selectors.product_categories(actor=request.user)
    )
    filters = form.to_filter() if form.is_bound else selectors.ProductFilter()
    sort = request.GET.get("sort", DEFAULT_PRODUCT_SORT)
    sort = sort if sort in selectors.PRODUCT_SORTS else DEFAULT_PRODUCT_SORT
    page = keyset_page(
        selectors.product_list(actor=request.user, filters=filters),
        ordering=selectors.PRODUCT_SORTS[sort],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "page": page,
        "columns": sort_columns(sort, PRODUCT_COLUMNS),
        "filter_query": filter_query(request),
        "filter_query_unsorted": filter_query(request, drop=("sort",)),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "product-table",
        "can_add": has_permission(request.user, "sales.add_product"),
        "can_change": has_permission(request.user, "sales.change_product"),
        "can_price_lists": has_permission(request.user, MANAGE_PRICE_LISTS),
    }
    template = "sales/product_list.html"
    if getattr(request, "htmx", False):
        template += "#product-table"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, "sales.add_product")
    form = ProductForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” created.") % {"name": product.name})
            return redirect("sales:product_list")
    return render(request, "sales/product_form.html", {"form": form, "is_create": True})


@login_required
@require_http_methods(["GET", "POST"])
def product_update(request: HttpRequest, product_id: int) -> HttpResponse:
    require_page_permission(request, "sales.change_product")
    product = _product(request, product_id)
    form = ProductForm(request.POST if request.method == "POST" else None, product=product)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,  # type: ignore[arg-type]
            form,
            lambda valid: services.product_update(
                actor=request.user,
                product=product,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            lambda data: ProductForm(data, product=product),
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("sales:product_list")
    return render(
        request,
        "sales/product_form.html",
        {
            "form": form,
            "product": product,
            "is_create": False,
            "conflict": conflict,
            "can_delete": has_permission(request.user, "sales.delete_product"),
        },
    )


@login_required
@require_POST
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    require_page_permission(request, "sales.delete_product")
    product = _product(request, product_id)
    services.product_delete(actor=request.user, product=product)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("sales:product_list")


# --- price lists ---------------------------------------------------------------


@login_required
@require_GET
def price_list_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_PRICE_LISTS)
    return render(
        request,
        "sales/price_list_list.html",
        {"price_lists": list(selectors.price_list_list(actor=request.user))},
    )


def _price_rows(products: list[Any], values: dict[int, str], errors: dict[int, list[str]]) -> list:
    return [
        {"product": p, "value": values.get(p.pk, ""), "errors": errors.get(p.pk, [])}
        for p in products
    ]


def _item_errors(error: ApplicationError, items: dict[int, str]) -> dict[int, list[str]]:
    """Service keys "items.<index>.price" back to product ids."""
    by_index = list(items)
    found: dict[int, list[str]] = {}
    if isinstance(error, ValidationError):
        for key, messages_ in error.field_errors.items():
            parts = key.split(".")
            if parts[0] == "items" and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(by_index):
                    found.setdefault(by_index[index], []).extend(messages_)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def price_list_create(request: HttpRequest) -> HttpResponse:
    return _price_list_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def price_list_update(request: HttpRequest, price_list_id: int) -> HttpResponse:
    try:
        price_list = selectors.price_list_get(actor=request.user, price_list_id=price_list_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    return _price_list_form(request, price_list)


def _price_list_form(request: HttpRequest, price_list: Any) -> HttpResponse:
    require_page_permission(request, MANAGE_PRICE_LISTS)
    products = selectors.product_choices(actor=request.user)
    is_post = request.method == "POST"
    form = PriceListForm(request.POST if is_post else None, price_list=price_list)
    if is_post:
        items = price_items_from(request.POST, products)
    elif price_list is not None:
        items = {item.product_id: str(item.price) for item in price_list.items.all()}
    else:
        items = {}
    item_errors: dict[int, list[str]] = {}
    if is_post and form.is_valid():
        try:
            if price_list is None:
                services.price_list_create(actor=request.user, items=items, **form.service_fields())
            else:
                services.price_list_update(
                    actor=request.user,
                    price_list=price_list,
                    expected_version=form.cleaned_data["version"],
                    items=items,
                    **form.service_fields(),
                )
        except ApplicationError as error:
            item_errors = _item_errors(error, items)
            if isinstance(error, ValidationError):
                error.field_errors = {
                    k: v for k, v in error.field_errors.items() if not k.startswith("items.")
                }
            if not item_errors or (isinstance(error, ValidationError) and error.field_errors):
                apply_field_errors(form, error)
        else:
            messages.success(request, _("Price list saved."))
            return redirect("sales:price_list_list")
    context = {
        "form": form,
        "price_list": price_list,
        "rows": _price_rows(products, items, item_errors),
        "is_create": price_list is None,
    }
    return render(request, "sales/price_list_form.html", context)
