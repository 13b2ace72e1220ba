"""REST API for products, orders and quotes: thin like the views (selectors in, services out)."""

from guanxi.sales.api import orders, products, quotes
from guanxi.sales.api._common import router

__all__ = ["orders", "products", "quotes", "router"]
