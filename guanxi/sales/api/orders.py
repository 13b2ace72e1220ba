"""Orders over the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.customers.api._common import deleted_get
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
from guanxi.sales.api._common import payload_lines, router
from guanxi.sales.models import Order
from guanxi.sales.schemas import OrderFilter, OrderIn, OrderOut, OrderPageOut, OrderPatchIn


def _order_out(order: Order) -> dict[str, Any]:
    owner = order.owner
    return {
        "id": order.pk,
        "version": order.version,
        "number": order.number,
        "customer": order.customer_id,
        "customer_name": order.customer.name,
        "order_date": order.order_date,
        "status": order.status,
        "owner": order.owner_id,
        "owner_name": str(owner) if owner is not None else None,
        "total": order.total,
        "cost": order.cost,
        "profit": order.profit,
        "notes": order.notes,
        "lines": [
            {
                "id": line.pk,
                "position": line.position,
                "product": line.product_id,
                "product_sku": line.product.sku,
                "product_name": line.product.name,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "line_total": line.line_total,
                "line_cost": line.line_cost,
            }
            for line in order.lines.all()
        ],
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    }


def _answer(request: HttpRequest, response: HttpResponse, written: Order) -> dict[str, Any]:
    """The order as stored, re-read through the selector (with its lines)."""
    try:
        order = selectors.order_get(actor=request.user, order_id=written.pk)
    except NotFound:
        order = written
    set_etag(response, order.version)
    return _order_out(order)


@router.get("/orders", response={200: OrderPageOut, **READ_ERRORS})
def order_list(request: HttpRequest, filters: Query[OrderFilter]) -> dict[str, Any]:
    """Orders of the customers in your scope, newest first by default."""
    qs = selectors.order_list(
        actor=request.user,
        filters=selectors.OrderFilter(
            q=filters.q,
            customer=filters.customer,
            owner=filters.owner,
            product=filters.product,
            status=filters.status,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    ).prefetch_related("lines__product")
    return keyset_page_out(
        qs,
        ordering=selectors.ORDER_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_order_out,
    )


@router.get("/orders/{order_id}", response={200: OrderOut, **READ_ERRORS})
def order_get(request: HttpRequest, order_id: Id, response: HttpResponse) -> Any:
    """One order with its lines; the ETag header carries its version for If-Match."""
    return _answer(request, response, selectors.order_get(actor=request.user, order_id=order_id))


@router.post("/orders", response={201: OrderOut, **WRITE_ERRORS})
def order_create(request: HttpRequest, payload: OrderIn, response: HttpResponse) -> Status:
    """Create an order with its lines; totals, cost and profit are computed."""
    fields = changes_of(payload, exclude={"customer", "lines"})
    order = services.order_create(
        actor=request.user, customer=payload.customer, lines=payload_lines(payload), **fields
    )
    return Status(201, _answer(request, response, order))


@router.patch("/orders/{order_id}", response={200: OrderOut, **WRITE_ERRORS})
def order_update(
    request: HttpRequest,
    order_id: Id,
    payload: OrderPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent (`lines` replaces all lines). Stale `If-Match` -> 409."""
    order = selectors.order_get(actor=request.user, order_id=order_id, action="change")
    updated = services.order_update(
        actor=request.user,
        order=order,
        expected_version=expected_version(if_match, payload.version),
        lines=payload_lines(payload),
        **changes_of(payload, exclude={"version", "lines"}),
    )
    return _answer(request, response, updated)


@router.delete("/orders/{order_id}", response={204: None, **WRITE_ERRORS})
def order_delete(request: HttpRequest, order_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    order = selectors.order_get(actor=request.user, order_id=order_id, action="delete")
    services.order_delete(actor=request.user, order=order)
    return Status(204, None)


@router.post("/orders/{order_id}/restore", response={200: OrderOut, **WRITE_ERRORS})
def order_restore(request: HttpRequest, order_id: Id, response: HttpResponse) -> Any:
    """Bring an order back from the recycle bin (a live one is answered as it is)."""
    order = deleted_get(request, Order, order_id)
    if order is not None:
        services.order_restore(actor=request.user, instance=order)
    return order_get(request, order_id, response)
