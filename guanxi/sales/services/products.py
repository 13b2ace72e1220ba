"""Product writes: create, update, delete to the recycle bin, restore."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from guanxi.customers.services._common import (
    clean_notes,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.sales.models import Product
from guanxi.sales.services._common import parse_decimal

PRODUCT_NOT_FOUND = _("This product does not exist or you cannot see it.")
SKU_TAKEN = _("Another product already has this SKU.")
SKU_REQUIRED = _("Enter a SKU.")
NAME_REQUIRED = _("This field is required.")

EDITABLE_FIELDS = ["sku", "name", "category", "unit", "list_price", "cost", "is_active", "notes"]


def _apply(product: Product, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
        elif name in ("list_price", "cost"):
            number = parse_decimal(value, errors, name)
            if number is not None:
                setattr(product, name, number)
        elif name == "is_active":
            product.is_active = bool(value)
        elif name == "notes":
            product.notes = clean_notes(value, errors)
        else:
            setattr(product, name, coerce_model_value(product, name, value, errors))


def _finish(product: Product, errors: dict[str, list[str]]) -> None:
    product.sku = (product.sku or "").strip().upper()
    if not product.sku:
        errors.setdefault("sku", []).append(str(SKU_REQUIRED))
    if not product.name:
        errors.setdefault("name", []).append(str(NAME_REQUIRED))
    if not product.unit:
        product.unit = "个"
    if product.sku and "sku" not in errors:
        taken = Product.objects.filter(sku=product.sku, deleted_at__isnull=True)
        if product.pk:
            taken = taken.exclude(pk=product.pk)
        if taken.exists():
            errors.setdefault("sku", []).append(str(SKU_TAKEN))
    full_clean_into(product, errors)


@transaction.atomic
def product_create(*, actor: Any, sku: str, name: str, **fields: Any) -> Product:
    """Create a product; the SKU is upper-cased and must be unique among live products."""
    require_permission(actor, "sales.add_product")
    errors: dict[str, list[str]] = {}
    product = Product(created_by=actor if getattr(actor, "pk", None) else None)
    _apply(product, {"sku": sku, "name": name, **fields}, errors)
    _finish(product, errors)
    product.save()
    audit_record(
        actor=actor,
        action="sales.product.created",
        instance=product,
        changes={"after": snapshot(product, EDITABLE_FIELDS)},
    )
    return product


@transaction.atomic
def product_update(
    *, actor: Any, product: Product, expected_version: int | None, **changes: Any
) -> Product:
    """Apply `changes`; a stale `expected_version` raises ConflictError."""
    require_permission(actor, "sales.change_product")
    current = lock_current(product)
    if current.deleted_at is not None:
        raise NotFound(str(PRODUCT_NOT_FOUND))
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    before = snapshot(current, EDITABLE_FIELDS)
    errors: dict[str, list[str]] = {}
    _apply(current, changes, errors)
    _finish(current, errors)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="sales.product.updated",
        instance=current,
        changes=diff(before, snapshot(current, EDITABLE_FIELDS)),
    )
    return current


@transaction.atomic
def product_delete(*, actor: Any, product: Product) -> Product:
    """To the recycle bin; order lines keep pointing at it (history stays readable)."""
    require_permission(actor, "sales.delete_product")
    current = lock_current(product)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="sales.product.deleted", instance=current)
    return current


@transaction.atomic
def product_restore(*, actor: Any, instance: Product) -> Product:
    if not has_permission(actor, "sales.delete_product"):
        raise NotFound(str(PRODUCT_NOT_FOUND))
    current = lock_current(instance)
    if current.deleted_at is not None:
        clash = Product.objects.filter(sku=current.sku, deleted_at__isnull=True).exists()
        if clash:
            raise ValidationError(str(SKU_TAKEN), field_errors={"sku": [str(SKU_TAKEN)]})
    if mark_restored(current):
        audit_record(actor=actor, action="sales.product.restored", instance=current)
    return current
