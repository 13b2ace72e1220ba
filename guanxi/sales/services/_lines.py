"""Line checks shared by orders and quotes.

Both take a list of dicts (product, quantity, unit_price, discount_percent; quotes
also description and unit), collect every error under keys like "lines.1.quantity"
and return only lines without errors. The one difference is a parameter:
`product_required` — an order line must name a product; a quote line may instead
be free text (a description and a unit price).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.sales.models import Product
from guanxi.sales.selectors import default_unit_prices
from guanxi.sales.services._common import (
    clean_text,
    int_or_none,
    money,
    parse_decimal,
    parse_percent,
)

UNKNOWN_PRODUCT = _("Unknown product.")
INACTIVE_PRODUCT = _("This product is no longer sold.")
NO_LINES = _("Add at least one line.")
TOO_MANY_LINES = _("At most %(max)s lines.")
QUANTITY_POSITIVE = _("Enter a quantity greater than zero.")
DISCOUNT_RANGE = _("Enter a discount between 0 and 100 %.")
DESCRIPTION_REQUIRED = _("Choose a product or describe the line.")
PRICE_REQUIRED = _("Enter a unit price.")
MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999.99")
MAX_DESCRIPTION = 500
MAX_UNIT = 20


@dataclass
class CleanLine:
    product: Product | None  # never None when the product is required
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    description: str = ""  # free-text lines only
    unit: str = ""


def line_amount(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """quantity × unit price × (1 − discount %), rounded half up to cents."""
    return money(quantity * unit_price * (Decimal(100) - discount_percent) / Decimal(100))


def clean_lines(
    raw_lines: Any,
    customer: Any,
    errors: dict[str, list[str]],
    *,
    allowed_inactive: set[int],
    product_required: bool,
) -> list[CleanLine]:
    """Check every line; a product line without unit price takes the customer's
    price-list price (or the list price). A product no longer sold is refused unless
    its id is in `allowed_inactive` (it was already on the document).

    With `product_required` False a line without product needs a description and a
    unit price, and a product line's description and unit default to the product's.
    """
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        errors.setdefault("lines", []).append(str(NO_LINES))
        return []
    if len(raw_lines) > MAX_LINES:
        errors.setdefault("lines", []).append(str(TOO_MANY_LINES) % {"max": MAX_LINES})
        return []
    rows = [row if isinstance(row, dict) else {} for row in raw_lines]
    product_ids = {pid for row in rows if (pid := int_or_none(row.get("product")))}
    products = {
        p.pk: p for p in Product.objects.filter(pk__in=product_ids, deleted_at__isnull=True)
    }
    defaults = default_unit_prices(customer, list(products.values())) if customer else {}
    lines: list[CleanLine] = []
    for index, row in enumerate(rows):
        prefix = f"lines.{index}."
        is_valid = True
        product: Product | None = None
        if product_required or row.get("product") not in (None, ""):
            product = products.get(int_or_none(row.get("product")) or 0)
            if product is None:
                errors.setdefault(prefix + "product", []).append(str(UNKNOWN_PRODUCT))
                is_valid = False
            elif not product.is_active and product.pk not in allowed_inactive:
                errors.setdefault(prefix + "product", []).append(str(INACTIVE_PRODUCT))
                product, is_valid = None, False
        description = unit = ""
        if not product_required:
            description = clean_text(row.get("description"), MAX_DESCRIPTION)
            if product is not None and not description:
                description = product.name
            if not description and is_valid:
                errors.setdefault(prefix + "description", []).append(str(DESCRIPTION_REQUIRED))
                is_valid = False
            unit = clean_text(row.get("unit"), MAX_UNIT) or (
                product.unit if product is not None else ""
            )
        quantity = parse_decimal(
            row.get("quantity"),
            errors,
            prefix + "quantity",
            minimum=Decimal("0.01"),
            maximum=MAX_QUANTITY,
            minimum_message=QUANTITY_POSITIVE,
        )
        price_raw = row.get("unit_price")
        unit_price: Decimal | None
        if price_raw in (None, ""):
            if product is not None:
                unit_price = defaults.get(product.pk, product.list_price)
            else:
                # Nothing more to say about a line whose product is already wrong.
                unit_price = None
                if is_valid:
                    errors.setdefault(prefix + "unit_price", []).append(str(PRICE_REQUIRED))
        else:
            unit_price = parse_decimal(price_raw, errors, prefix + "unit_price")
        discount = parse_percent(
            row.get("discount_percent"), errors, prefix + "discount_percent", DISCOUNT_RANGE
        )
        if is_valid and quantity is not None and unit_price is not None and discount is not None:
            lines.append(CleanLine(product, quantity, unit_price, discount, description, unit))
    return lines
