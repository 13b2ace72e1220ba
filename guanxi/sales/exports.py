"""The order list as CSV: the same filters (so the same scope) as on screen, audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.platform.audit import audit_record, jsonable
from guanxi.platform.exceptions import PermissionDenied
from guanxi.platform.exports import csv_rows
from guanxi.platform.permissions import has_permission
from guanxi.sales.models import Order, OrderStatus
from guanxi.sales.permissions import EXPORT_ORDERS
from guanxi.sales.selectors import OrderFilter, order_list

EXPORT_NOT_ALLOWED = gettext_lazy("You may not export orders.")
EXPORT_ACTION = "sales.order.exported"


def _rows(filters: OrderFilter, actor: Any) -> Iterator[list[Any]]:
    labels = dict(OrderStatus.choices)
    qs = (
        order_list(actor=actor, filters=filters)
        .order_by("-order_date", "-id")
        .values_list(
            "number",
            "order_date",
            "customer__name",
            "owner__display_name",
            "status",
            "total",
            "cost",
            "profit",
            "notes",
        )
    )
    for number, day, customer, owner, status, total, cost, profit, notes in qs.iterator(
        chunk_size=2000
    ):
        yield [number, day.isoformat(), customer, owner or "", str(labels.get(status, status)),
               total, cost, profit, notes]  # fmt: skip


@transaction.atomic
def order_export_csv(*, actor: Any, filters: OrderFilter) -> Iterator[str]:
    """Check the permission, record the export, return the CSV lines (streamed later)."""
    if not has_permission(actor, EXPORT_ORDERS):
        raise PermissionDenied(str(EXPORT_NOT_ALLOWED))
    count = order_list(actor=actor, filters=filters).count()
    audit_record(
        actor=actor,
        action=EXPORT_ACTION,
        instance=None,
        object_type=Order._meta.label_lower,
        changes={"filters": jsonable(asdict(filters)), "format": "csv", "count": count},
    )
    header = [
        _("Order number"),
        _("Date"),
        _("Customer"),
        _("Owner"),
        _("Status"),
        _("Total"),
        _("Cost"),
        _("Profit"),
        _("Notes"),
    ]
    return csv_rows(header, _rows(filters, actor))
