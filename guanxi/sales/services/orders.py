"""Order writes: create with lines, update (lines replaced as a whole), delete, restore.

Totals are computed here, in the same transaction as the lines: line total =
quantity × unit price × (1 − discount %), rounded half up to cents; the order's
total, cost and profit are the sums. Every error is collected first and nothing
is written when there is any (ValidationError with keys like "lines.1.quantity").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.selectors import customer_get
from guanxi.customers.services._common import (
    clean_notes,
    coerce_date,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import is_in_scope, is_restorable
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.sales.models import Order, OrderLine, OrderStatus
from guanxi.sales.services._common import int_or_none, money, next_day_number, save_numbered
from guanxi.sales.services._lines import CleanLine, clean_lines, line_amount

ORDER_NOT_FOUND = _("This order does not exist or you cannot see it.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_OWNER = _("Choose an active user as the owner.")
INVALID_STATUS = _("Choose a valid status.")
INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
NUMBER_TAKEN = _("Another order already has this number.")
HEADER_FIELDS = ["order_date", "status", "owner", "notes"]
ORDER_PREFIX = "SO-"


def order_snapshot(order: Order) -> dict[str, Any]:
    values = snapshot(order, ["number", "customer", *HEADER_FIELDS, "total", "cost", "profit"])
    values["lines"] = [
        [line.product_id, str(line.quantity), str(line.unit_price), str(line.discount_percent)]
        for line in order.lines.order_by("position", "id")
    ]
    return values


def _resolve_owner(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import User

    if value in (None, ""):
        return None
    user_id = int_or_none(value)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    return user


def _write_lines(order: Order, lines: list[CleanLine]) -> None:
    """Replace the order's lines and store its total, cost and profit."""
    OrderLine.objects.filter(order=order).delete()
    rows = []
    for position, line in enumerate(lines, start=1):
        product: Any = line.product  # never None: clean_lines(product_required=True)
        rows.append(
            OrderLine(
                order=order,
                position=position,
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                unit_cost=product.cost,
                line_total=line_amount(line.quantity, line.unit_price, line.discount_percent),
                line_cost=money(line.quantity * product.cost),
            )
        )
    OrderLine.objects.bulk_create(rows)
    order.total = sum((row.line_total for row in rows), Decimal("0.00"))
    order.cost = sum((row.line_cost for row in rows), Decimal("0.00"))
    order.profit = order.total - order.cost
    order.save(update_fields=["total", "cost", "profit"])


def _apply_header(order: Order, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, value in changes.items():
        if name not in HEADER_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name == "owner":
            order.owner = _resolve_owner(value, errors)
        elif name == "status":
            if value not in OrderStatus.values:
                errors.setdefault("status", []).append(str(INVALID_STATUS))
            else:
                order.status = value
        elif name == "order_date":
            try:
                order.order_date = coerce_date(value)
            except (TypeError, ValueError):
                errors.setdefault("order_date", []).append(str(INVALID_DATE))
        elif name == "notes":
            order.notes = clean_notes(value, errors)


def next_order_number(day: dt.date) -> str:
    """SO-YYYYMMDD-NNNN: the day's highest number plus one (the unique index decides races)."""
    return next_day_number(Order, ORDER_PREFIX, day)


@transaction.atomic
def order_create(
    *,
    actor: Any,
    customer: Any,
    lines: list[dict[str, Any]] | None,
    number: str | None = None,
    **fields: Any,
) -> Order:
    """Create an order with its lines for a customer the actor can see.

    Owner defaults to the customer's owner, date to today, status to confirmed;
    a line without unit price gets the customer's price-list price (or the list
    price). `number` is for imports only; normally SO-YYYYMMDD-NNNN is assigned.
    """
    require_permission(actor, "sales.add_order")
    errors: dict[str, list[str]] = {}
    try:
        found = customer_get(actor=actor, customer_id=getattr(customer, "pk", customer))
    except NotFound:
        found = None
        errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
    order = Order(
        customer=found,
        owner=found.owner if found is not None else None,
        order_date=timezone.localdate(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _apply_header(order, fields, errors)
    clean = clean_lines(lines, found, errors, allowed_inactive=set(), product_required=True)
    number = str(number or "").strip()[:40] or None
    if number and Order.objects.filter(number=number).exists():
        errors.setdefault("number", []).append(str(NUMBER_TAKEN))
    order.number = number or "SO-PENDING"
    full_clean_into(order, errors, exclude=["customer"] if found is None else None)
    save_numbered(order, number, prefix=ORDER_PREFIX)
    _write_lines(order, clean)
    audit_record(
        actor=actor,
        action="sales.order.created",
        instance=order,
        changes={"after": order_snapshot(order)},
    )
    return order


@transaction.atomic
def order_update(
    *,
    actor: Any,
    order: Order,
    expected_version: int | None,
    lines: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> Order:
    """Change header fields and, when `lines` is given, replace all lines.

    A product that became inactive may stay on the order it was already on.
    """
    if not is_in_scope(order, actor=actor, action="change"):
        raise NotFound(str(ORDER_NOT_FOUND))
    current = lock_current(order)
    ensure_version(current, expected_version, compare_fields=HEADER_FIELDS)
    before = order_snapshot(current)
    errors: dict[str, list[str]] = {}
    _apply_header(current, changes, errors)
    clean: list[CleanLine] | None = None
    if lines is not None:
        on_order = set(current.lines.values_list("product_id", flat=True))
        clean = clean_lines(
            lines, current.customer, errors, allowed_inactive=on_order, product_required=True
        )
    full_clean_into(current, errors)
    current.version += 1
    current.save()
    if clean is not None:
        _write_lines(current, clean)
    audit_record(
        actor=actor,
        action="sales.order.updated",
        instance=current,
        changes=diff(before, order_snapshot(current)),
    )
    return current


@transaction.atomic
def order_delete(*, actor: Any, order: Order) -> Order:
    if not is_in_scope(order, actor=actor, action="delete"):
        raise NotFound(str(ORDER_NOT_FOUND))
    current = lock_current(order)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="sales.order.deleted", instance=current)
    return current


@transaction.atomic
def order_restore(*, actor: Any, instance: Order) -> Order:
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(ORDER_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="sales.order.restored", instance=current)
    return current
