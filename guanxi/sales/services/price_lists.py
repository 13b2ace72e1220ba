"""Price lists: one per customer grade, a price per product (docs/decisions.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.services._common import full_clean_into, require_permission
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.sales.models import PriceList, PriceListItem, Product
from guanxi.sales.permissions import MANAGE_PRICE_LISTS
from guanxi.sales.services._common import parse_decimal

GRADES = ("A", "B", "C", "D")
GRADE_TAKEN = _("Another price list already applies to this grade.")
INVALID_GRADE = _("Choose a grade A, B, C or D.")
UNKNOWN_PRODUCT = _("Unknown product.")
FIELDS = ["name", "grade", "is_active", "notes"]


def _items_snapshot(price_list: PriceList) -> dict[str, str]:
    return {
        str(item.product_id): str(item.price)
        for item in PriceListItem.objects.filter(price_list=price_list)
    }


def _clean_items(items: Any, errors: dict[str, list[str]]) -> dict[int, Decimal]:
    """{product id: price} from [{"product": id, "price": x}, ...] or a {id: price} mapping."""
    pairs = (
        items.items()
        if isinstance(items, dict)
        else [
            (row.get("product"), row.get("price")) for row in items or [] if isinstance(row, dict)
        ]
    )
    cleaned: dict[int, Decimal] = {}
    for index, (product_id, price) in enumerate(pairs):
        try:
            key = int(getattr(product_id, "pk", product_id))
        except (TypeError, ValueError):
            errors.setdefault(f"items.{index}.product", []).append(str(UNKNOWN_PRODUCT))
            continue
        value = parse_decimal(price, errors, f"items.{index}.price")
        if value is not None:
            cleaned[key] = value
    known = set(
        Product.objects.filter(pk__in=cleaned, deleted_at__isnull=True).values_list("pk", flat=True)
    )
    for key in set(cleaned) - known:
        errors.setdefault("items", []).append(str(UNKNOWN_PRODUCT))
        cleaned.pop(key)
    return cleaned


def _check(price_list: PriceList, errors: dict[str, list[str]]) -> None:
    price_list.grade = (price_list.grade or "").strip().upper()
    if price_list.grade not in GRADES:
        errors.setdefault("grade", []).append(str(INVALID_GRADE))
    else:
        clash = PriceList.objects.filter(grade=price_list.grade)
        if price_list.pk:
            clash = clash.exclude(pk=price_list.pk)
        if clash.exists():
            errors.setdefault("grade", []).append(str(GRADE_TAKEN))
    full_clean_into(price_list, errors)


def _write_items(price_list: PriceList, items: dict[int, Decimal]) -> None:
    PriceListItem.objects.filter(price_list=price_list).delete()
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=price_list, product_id=key, price=v) for key, v in items.items()]
    )


@transaction.atomic
def price_list_create(
    *, actor: Any, name: str, grade: str, items: Any = None, **fields: Any
) -> PriceList:
    """A price list for one customer grade; `items` maps products to prices."""
    require_permission(actor, MANAGE_PRICE_LISTS)
    errors: dict[str, list[str]] = {}
    price_list = PriceList(
        name=str(name or "").strip(),
        grade=str(grade or ""),
        is_active=bool(fields.get("is_active", True)),
        notes=str(fields.get("notes") or ""),
    )
    cleaned = _clean_items(items, errors)
    _check(price_list, errors)
    if errors:
        raise ValidationError(str(_("Please correct the errors below.")), field_errors=errors)
    price_list.save()
    _write_items(price_list, cleaned)
    audit_record(
        actor=actor,
        action="sales.pricelist.created",
        instance=price_list,
        changes={"after": {**snapshot(price_list, FIELDS), "items": _items_snapshot(price_list)}},
    )
    return price_list


@transaction.atomic
def price_list_update(
    *,
    actor: Any,
    price_list: PriceList,
    expected_version: int | None,
    items: Any = None,
    **changes: Any,
) -> PriceList:
    require_permission(actor, MANAGE_PRICE_LISTS)
    current = lock_current(price_list)
    ensure_version(current, expected_version, compare_fields=FIELDS)
    before = {**snapshot(current, FIELDS), "items": _items_snapshot(current)}
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name == "is_active":
            current.is_active = bool(value)
        else:
            setattr(current, name, str(value or "").strip())
    cleaned = _clean_items(items, errors) if items is not None else None
    _check(current, errors)
    current.version += 1
    current.save()
    if cleaned is not None:
        _write_items(current, cleaned)
    audit_record(
        actor=actor,
        action="sales.pricelist.updated",
        instance=current,
        changes=diff(before, {**snapshot(current, FIELDS), "items": _items_snapshot(current)}),
    )
    return current
