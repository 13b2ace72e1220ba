"""Product, price list and order writes (STYLE.md rule 2)."""

from guanxi.sales.services.orders import (
    next_order_number,
    order_create,
    order_delete,
    order_restore,
    order_update,
)
from guanxi.sales.services.price_lists import price_list_create, price_list_update
from guanxi.sales.services.products import (
    product_create,
    product_delete,
    product_restore,
    product_update,
)

__all__ = [
    "next_order_number",
    "order_create",
    "order_delete",
    "order_restore",
    "order_update",
    "price_list_create",
    "price_list_update",
    "product_create",
    "product_delete",
    "product_restore",
    "product_update",
]
