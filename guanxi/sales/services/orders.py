"""Order writes: create with lines, update (lines replaced as a whole), delete, restore.

Totals are computed here, in the same transaction as the lines: line total =
quantity × unit price × (1 − discount %), rounded half up to cents; the order's
total, cost and profit are the sums. Every error is collected first and nothing
is written when there is any (ValidationError with keys like "lines.1.quantity").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
from guanxi.sales.models import Order, OrderLine, OrderStatus, Product
from guanxi.sales.selectors import default_unit_prices
from guanxi.sales.services._common import money, next_day_number, parse_decimal, save_numbered

ORDER_NOT_FOUND = _("This order does not exist or you cannot see it.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_OWNER = _("Choose an active user as the owner.")
UNKNOWN_PRODUCT = _("Unknown product.")
INACTIVE_PRODUCT = _("This product is no longer sold.")
NO_LINES = _("Add at least one line.")
TOO_MANY_LINES = _("At most %(max)s lines.")
QUANTITY_POSITIVE = _("Enter a quantity greater than zero.")
DISCOUNT_RANGE = _("Enter a discount between 0 and 100 %.")
INVALID_STATUS = _("Choose a valid status.")
INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
NUMBER_TAKEN = _("Another order already has this number.")
MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999.99")
HEADER_FIELDS = ["order_date", "status", "owner", "notes"]
ORDER_PREFIX = "SO-"


@dataclass
class CleanLine:
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal


def order_snapshot(order: Order) -> dict[str, Any]:
    values = snapshot(order, ["number", "customer", *HEADER_FIELDS, "total", "cost", "profit"])
    values["lines"] = [
        [line.product_id, str(line.quantity), str(line.unit_price), str(line.discount_percent)]
        for line in order.lines.order_by("position", "id")
    ]
    return values


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


def _resolve_owner(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import User

    if value in (None, ""):
        return None
    user_id = _int_or_none(value)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    return user


def _clean_lines(
    raw_lines: Any, customer: Any, errors: dict[str, list[str]], *, allowed_inactive: set[int]
) -> list[CleanLine]:
    """Check every line; a missing unit price defaults to the customer's price list."""
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        errors.setdefault("lines", []).append(str(NO_LINES))
        return []
    if len(raw_lines) > MAX_LINES:
        errors.setdefault("lines", []).append(str(TOO_MANY_LINES) % {"max": MAX_LINES})
        return []
    rows = [row if isinstance(row, dict) else {} for row in raw_lines]
    product_ids = {pid for row in rows if (pid := _int_or_none(row.get("product")))}
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=product_ids, deleted_at__isnull=True)
    }
    defaults = default_unit_prices(customer, list(products.values())) if customer else {}
    lines: list[CleanLine] = []
    for index, row in enumerate(rows):
        prefix = f"lines.{index}."
        product = products.get(_int_or_none(row.get("product")) or 0)
        if product is None:
            errors.setdefault(prefix + "product", []).append(str(UNKNOWN_PRODUCT))
        elif not product.is_active and product.pk not in allowed_inactive:
            errors.setdefault(prefix + "product", []).append(str(INACTIVE_PRODUCT))
            product = None
        quantity = parse_decimal(
            row.get("quantity"),
            errors,
            prefix + "quantity",
            minimum=Decimal("0.01"),
            maximum=MAX_QUANTITY,
            minimum_message=QUANTITY_POSITIVE,
        )
        price_raw = row.get("unit_price")
        if price_raw in (None, ""):
            # No price given: the default (nothing to say when the product is wrong).
            unit_price: Decimal | None = (
                defaults.get(product.pk, product.list_price) if product is not None else None
            )
        else:
            unit_price = parse_decimal(price_raw, errors, prefix + "unit_price")
        discount_raw = row.get("discount_percent")
        discount = parse_decimal(
            0 if discount_raw in (None, "") else discount_raw,
            errors,
            prefix + "discount_percent",
            maximum=Decimal(100),
            minimum_message=DISCOUNT_RANGE,
        )
        if prefix + "discount_percent" in errors:
            errors[prefix + "discount_percent"] = [str(DISCOUNT_RANGE)]
        values = (product, quantity, unit_price, discount)
        if all(value is not None for value in values):
            lines.append(CleanLine(product, quantity, unit_price, discount))  # type: ignore[arg-type]
    return lines


def _write_lines(order: Order, lines: list[CleanLine]) -> None:
    """Replace the order's lines and store its total, cost and profit."""
    OrderLine.objects.filter(order=order).delete()
    rows = []
    for position, line in enumerate(lines, start=1):
        gross = line.quantity * line.unit_price
        rows.append(
            OrderLine(
                order=order,
                position=position,
                product=line.product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                unit_cost=line.product.cost,
                line_total=money(gross * (Decimal(100) - line.discount_percent) / Decimal(100)),
                line_cost=money(line.quantity * line.product.cost),
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
    clean = _clean_lines(lines, found, errors, allowed_inactive=set())
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
        clean = _clean_lines(lines, current.customer, errors, allowed_inactive=on_order)
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
