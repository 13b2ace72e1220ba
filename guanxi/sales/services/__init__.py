"""Product, price list, order and quote writes (STYLE.md rule 2)."""

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
from guanxi.sales.services.quotes import (
    quote_accept,
    quote_convert_to_order,
    quote_create,
    quote_delete,
    quote_pdf_save,
    quote_reject,
    quote_restore,
    quote_send,
    quote_update,
    quotes_expire,
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
    "quote_accept",
    "quote_convert_to_order",
    "quote_create",
    "quote_delete",
    "quote_pdf_save",
    "quote_reject",
    "quote_restore",
    "quote_send",
    "quote_update",
    "quotes_expire",
]
