"""Import adapters "products" and "orders" (autodiscovered by the import engine).

Products: one row per product, matched on the SKU (upper-cased).

Orders: one row per order LINE; rows with the same order number make one order
(header values — customer, date, status, owner, notes — are taken from the
first row of the number). An order number not in the database yet is created
with that number; a number that exists gets the row's line appended. A row
matches an existing record when that order already has a line for the product:
"skip" and "fill" leave it (a line has no empty fields), "overwrite" sets the
line's quantity, price and discount. Every write goes through the order
services, so totals, audit entries and versions are exactly as if typed in.
Undoing an import moves the orders it created to the recycle bin
(decisions: docs/decisions.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.imports import customer_named_in_row
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.imports.targets import RowInvalid, register_import_target
from guanxi.platform.imports.values import (
    ImportValueError,
    OwnerLookup,
    clean_text,
    parse_amount,
    parse_bool,
    parse_date,
)
from guanxi.sales import selectors
from guanxi.sales.models import Order, OrderStatus, Product
from guanxi.sales.services import (
    order_create,
    order_delete,
    order_update,
    product_create,
    product_delete,
    product_update,
)

TEXT_LIMITS = {"sku": 64, "name": 200, "category": 100, "unit": 20, "number": 40}


def _first(values: dict[str, list[Any]], name: str) -> str:
    return next((clean_text(v) for v in values.get(name, []) if clean_text(v)), "")


def _text(values: dict[str, list[Any]], name: str, labels: dict, errors: list[str]) -> str:
    text = _first(values, name)
    limit = TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        errors.append(
            _("%(field)s is too long (%(length)s characters, at most %(limit)s).")
            % {"field": labels.get(name, name), "length": len(text), "limit": limit}
        )
        return ""
    return text


def _amount(values: dict[str, list[Any]], name: str, errors: list[str]) -> Decimal | None:
    if not _first(values, name):
        return None
    try:
        return parse_amount(
            values[name][0] if clean_text(values[name][0]) else _first(values, name)
        )
    except ImportValueError as error:
        errors.append(error.message)
        return None


class ProductImportAdapter:
    target = "products"
    permission = "sales.add_product"
    label = gettext_lazy("Products")
    fields = {
        "sku": gettext_lazy("SKU"),
        "name": gettext_lazy("Product name"),
        "category": gettext_lazy("Category"),
        "unit": gettext_lazy("Unit"),
        "list_price": gettext_lazy("List price"),
        "cost": gettext_lazy("Cost"),
        "is_active": gettext_lazy("Active"),
        "notes": gettext_lazy("Notes"),
    }
    synonyms = {
        "sku": [
            "SKU",
            "编码",
            "产品编码",
            "商品编码",
            "货号",
            "物料编码",
            "Product Code",
            "Item Code",
        ],
        "name": ["产品名称", "商品名称", "名称", "品名", "产品", "Product Name", "Product", "Name"],
        "category": ["分类", "类别", "产品分类", "Category", "Product Family"],
        "unit": ["单位", "Unit", "UOM"],
        "list_price": [
            "标准价",
            "价格",
            "单价",
            "售价",
            "标价",
            "List Price",
            "Unit Price",
            "Price",
        ],
        "cost": ["成本", "成本价", "进价", "Cost", "Unit Cost"],
        "is_active": ["启用", "在售", "状态", "Active", "Is Active"],
        "notes": ["备注", "说明", "描述", "Notes", "Description"],
    }

    def custom_labels(self) -> dict[str, str]:
        return {}

    def prepare(self, *, actor: Any) -> Any:
        return {"actor": actor}

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {}
        for name in ("sku", "name", "category", "unit"):
            text = _text(values, name, self.fields, errors)
            if text:
                record[name] = text.upper() if name == "sku" else text
        for name in ("list_price", "cost"):
            amount = _amount(values, name, errors)
            if amount is not None:
                record[name] = amount
        if _first(values, "is_active"):
            try:
                record["is_active"] = parse_bool(_first(values, "is_active"))
            except ImportValueError as error:
                errors.append(error.message)
        if _first(values, "notes"):
            record["notes"] = "\n".join(clean_text(v) for v in values["notes"] if clean_text(v))
        if not record.get("sku"):
            errors.append(_("The SKU is missing."))
        if not record.get("name"):
            errors.append(_("The product name is missing."))
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        return [f"sku:{record['sku']}"]

    def find_existing(self, record: dict[str, Any], context: Any) -> Product | None:
        return Product.objects.filter(sku=record["sku"], deleted_at__isnull=True).first()

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Product:
        return product_create(actor=actor, **record)

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        instance.refresh_from_db()
        changes = {
            name: value
            for name, value in record.items()
            if name != "sku"
            and value != getattr(instance, name)
            and (policy == "overwrite" or getattr(instance, name) in ("", None, Decimal(0)))
        }
        if not changes:
            return None
        before = {name: _plain(getattr(instance, name)) for name in changes}
        product_update(actor=actor, product=instance, expected_version=None, **changes)
        return before

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        product = Product.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if product is not None:
            product_delete(actor=actor, product=product)

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        product = Product.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if product is not None:
            product_update(actor=actor, product=product, expected_version=None, **before)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# What Chinese CRMs and spreadsheets write for the statuses, whatever our catalogue says.
CHINESE_STATUSES = {
    "草稿": "draft",
    "确认": "confirmed",
    "已确认": "confirmed",
    "已下单": "confirmed",
    "完成": "completed",
    "已完成": "completed",
    "已成交": "completed",
    "取消": "cancelled",
    "已取消": "cancelled",
    "作废": "cancelled",
    "退款": "refunded",
    "已退款": "refunded",
    "退货": "refunded",
}


def _status_codes() -> dict[str, str]:
    """Codes and labels (both languages) -> code: "completed", "已完成", "Completed"."""
    from django.utils import translation

    mapping: dict[str, str] = dict(CHINESE_STATUSES)
    for code, label in OrderStatus.choices:
        mapping[code] = code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                mapping[str(label).strip().lower()] = code
    return mapping


class OrderImportAdapter:
    target = "orders"
    permission = "sales.add_order"
    label = gettext_lazy("Orders")
    fields = {
        "number": gettext_lazy("Order number"),
        "customer": gettext_lazy("Customer (name or ID)"),
        "order_date": gettext_lazy("Date"),
        "status": gettext_lazy("Status"),
        "owner": gettext_lazy("Owner"),
        "product": gettext_lazy("Product SKU"),
        "quantity": gettext_lazy("Quantity"),
        "unit_price": gettext_lazy("Unit price"),
        "discount_percent": gettext_lazy("Discount %"),
        "notes": gettext_lazy("Notes"),
    }
    synonyms = {
        "number": [
            "订单号",
            "订单编号",
            "单号",
            "成交单号",
            "Order Number",
            "Order No",
            "Order ID",
        ],
        "customer": ["客户", "客户名称", "公司", "客户ID", "Customer", "Account Name", "Company"],
        "order_date": ["日期", "成交日期", "下单日期", "订单日期", "Order Date", "Date"],
        "status": ["状态", "订单状态", "Status", "Order Status"],
        "owner": ["负责人", "销售", "所属销售", "Owner", "Order Owner"],
        "product": ["SKU", "产品编码", "商品编码", "货号", "产品", "Product Code", "Product"],
        "quantity": ["数量", "Quantity", "Qty"],
        "unit_price": ["单价", "成交价", "Unit Price", "Price"],
        "discount_percent": ["折扣", "折扣%", "折扣率", "Discount", "Discount %"],
        "notes": ["备注", "Notes", "Description"],
    }

    def custom_labels(self) -> dict[str, str]:
        return {}

    def prepare(self, *, actor: Any) -> Any:
        return {
            "actor": actor,
            "owners": OwnerLookup(),
            "customers": {},
            "products": {
                p.sku: p for p in selectors.product_list(actor=actor).filter(deleted_at=None)
            },
            "statuses": _status_codes(),
        }

    def parse(self, values: dict[str, list[Any]], context: Any) -> dict[str, Any]:
        errors: list[str] = []
        record: dict[str, Any] = {}
        number = _text(values, "number", self.fields, errors)
        if not number:
            errors.append(_("The order number is missing."))
        record["number"] = number
        customer_text = _first(values, "customer")
        if not customer_text:
            errors.append(_("The customer is missing."))
        else:
            try:
                record["customer"] = customer_named_in_row(customer_text, context)
            except RowInvalid as error:
                errors.extend(error.messages)
        sku = _first(values, "product").upper()
        product = context["products"].get(sku)
        if product is None:
            errors.append(_("Unknown product “%(value)s”.") % {"value": sku[:64]})
        record["product"] = product
        quantity = _amount(values, "quantity", errors)
        if quantity is None and not _first(values, "quantity"):
            errors.append(_("The quantity is missing."))
        record["quantity"] = quantity
        for name in ("unit_price", "discount_percent"):
            amount = _amount(values, name, errors)
            if amount is not None:
                record[name] = amount
        if _first(values, "order_date"):
            try:
                record["order_date"] = parse_date(_first(values, "order_date"))
            except ImportValueError as error:
                errors.append(error.message)
        status_text = _first(values, "status")
        if status_text:
            code = context["statuses"].get(status_text.strip().lower())
            if code is None:
                errors.append(_("Unknown status “%(value)s”.") % {"value": status_text[:40]})
            record["status"] = code
        if _first(values, "owner"):
            try:
                record["owner"] = context["owners"].resolve(_first(values, "owner")).pk
            except ImportValueError as error:
                errors.append(error.message)
        if _first(values, "notes"):
            record["notes"] = _first(values, "notes")
        if errors:
            raise RowInvalid(errors)
        return record

    def keys(self, record: dict[str, Any]) -> list[str]:
        return [f"order:{record['number']}:{record['product'].pk}"]

    def _order(self, number: str) -> Order | None:
        return Order.objects.filter(number=number, deleted_at__isnull=True).first()

    def find_existing(self, record: dict[str, Any], context: Any) -> Order | None:
        order = self._order(record["number"])
        if order is not None and order.lines.filter(product=record["product"]).exists():
            return order
        return None

    @staticmethod
    def _line(record: dict[str, Any]) -> dict[str, Any]:
        line = {"product": record["product"].pk, "quantity": record["quantity"]}
        for name in ("unit_price", "discount_percent"):
            if name in record:
                line[name] = record[name]
        return line

    @staticmethod
    def _lines_of(order: Order) -> list[dict[str, Any]]:
        return [
            {
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
            }
            for line in order.lines.order_by("position", "id")
        ]

    def create(self, *, actor: Any, record: dict[str, Any], context: Any) -> Order:
        try:
            return self._create(actor=actor, record=record)
        except ValidationError as error:
            raise RowInvalid(self._messages(error)) from error

    def _messages(self, error: ValidationError) -> list[str]:
        """ "lines.0.quantity" -> "Quantity: ...": the row is one line, so name its field."""
        messages = []
        for key, texts in error.field_errors.items():
            name = key.rsplit(".", 1)[-1]
            label = self.fields.get(name, name)
            messages.extend(f"{label}: {text}" for text in texts)
        return messages or [error.message]

    def _create(self, *, actor: Any, record: dict[str, Any]) -> Order:
        order = self._order(record["number"])
        if order is None:
            header = {
                k: record[k] for k in ("order_date", "status", "owner", "notes") if k in record
            }
            return order_create(
                actor=actor,
                customer=record["customer"],
                number=record["number"],
                lines=[self._line(record)],
                **header,
            )
        if order.customer_id != record["customer"].pk:
            raise RowInvalid([_("This order number belongs to another customer.")])
        return order_update(
            actor=actor,
            order=order,
            expected_version=None,
            lines=[*self._lines_of(order), self._line(record)],
        )

    def update(
        self, *, actor: Any, instance: Any, record: dict[str, Any], policy: str, context: Any
    ) -> dict[str, Any] | None:
        lines = self._lines_of(instance)
        new = self._line(record)
        before_lines = [{k: _plain(v) for k, v in line.items()} for line in lines]
        changed = False
        for line in lines:
            if line["product"] != new["product"]:
                continue
            for name, value in new.items():
                if name != "product" and value != line[name] and policy == "overwrite":
                    line[name] = value
                    changed = True
        if not changed:
            return None
        order_update(actor=actor, order=instance, expected_version=None, lines=lines)
        return {"lines": before_lines}

    def undo_create(self, *, actor: Any, object_id: str) -> None:
        order = Order.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if order is None:
            return
        try:
            order_delete(actor=actor, order=order)
        except NotFound:
            return

    def undo_update(self, *, actor: Any, object_id: str, before: dict[str, Any]) -> None:
        order = Order.objects.filter(pk=object_id, deleted_at__isnull=True).first()
        if order is not None and before.get("lines"):
            order_update(actor=actor, order=order, expected_version=None, lines=before["lines"])


register_import_target("products", ProductImportAdapter())
register_import_target("orders", OrderImportAdapter())
