"""REST API for products and orders: thin like the views (selectors in, services out)."""

from guanxi.sales.api import orders, products
from guanxi.sales.api._common import router

__all__ = ["orders", "products", "router"]
