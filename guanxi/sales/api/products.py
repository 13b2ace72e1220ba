"""Products over the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import (
    Id,
    IfMatch,
    changes_of,
    expected_version,
    keyset_page_out,
    set_etag,
)
from guanxi.platform.exceptions import NotFound
from guanxi.sales import selectors, services
from guanxi.sales.api._common import router
from guanxi.sales.models import Product
from guanxi.sales.schemas import (
    ProductFilter,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatchIn,
)


def _product_out(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "version": product.version,
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "unit": product.unit,
        "list_price": product.list_price,
        "cost": product.cost,
        "is_active": product.is_active,
        "notes": product.notes,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def _answer(response: HttpResponse, product: Product) -> dict[str, Any]:
    set_etag(response, product.version)
    return _product_out(product)


@router.get("/products", response={200: ProductPageOut, **READ_ERRORS})
def product_list(request: HttpRequest, filters: Query[ProductFilter]) -> dict[str, Any]:
    """The product catalogue; `q` matches SKU or name."""
    qs = selectors.product_list(
        actor=request.user,
        filters=selectors.ProductFilter(
            q=filters.q, category=filters.category, is_active=filters.is_active
        ),
    )
    return keyset_page_out(
        qs,
        ordering=selectors.PRODUCT_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_product_out,
    )


@router.get("/products/{product_id}", response={200: ProductOut, **READ_ERRORS})
def product_get(request: HttpRequest, product_id: Id, response: HttpResponse) -> Any:
    """One product; the ETag header carries its version for If-Match."""
    return _answer(response, selectors.product_get(actor=request.user, product_id=product_id))


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS})
def product_create(request: HttpRequest, payload: ProductIn, response: HttpResponse) -> Status:
    product = services.product_create(actor=request.user, **changes_of(payload))
    return Status(201, _answer(response, product))


@router.patch("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS})
def product_update(
    request: HttpRequest,
    product_id: Id,
    payload: ProductPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent. Send `If-Match` with the ETag from GET: stale -> 409."""
    product = selectors.product_get(actor=request.user, product_id=product_id)
    updated = services.product_update(
        actor=request.user,
        product=product,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _answer(response, updated)


@router.delete("/products/{product_id}", response={204: None, **WRITE_ERRORS})
def product_delete(request: HttpRequest, product_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    product = selectors.product_get(actor=request.user, product_id=product_id)
    services.product_delete(actor=request.user, product=product)
    return Status(204, None)


@router.post("/products/{product_id}/restore", response={200: ProductOut, **WRITE_ERRORS})
def product_restore(request: HttpRequest, product_id: Id, response: HttpResponse) -> Any:
    """Bring a product back from the recycle bin (a live one is answered as it is)."""
    deleted = (
        selectors.product_list(actor=request.user, include_deleted=True)
        .filter(pk=product_id, deleted_at__isnull=False)
        .first()
    )
    if deleted is not None:
        services.product_restore(actor=request.user, instance=deleted)
    try:
        product = selectors.product_get(actor=request.user, product_id=product_id)
    except NotFound:
        raise
    return _answer(response, product)
