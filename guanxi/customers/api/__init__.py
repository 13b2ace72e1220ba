"""REST API for customers, contacts, follow-ups (interactions) and tags.

Thin like the views: parse -> one selector or service -> schema. Reads go
through the selectors (which start from `scoped()`), so a record outside the
caller's scope is 404 here exactly as on the pages; writes go through the
services, which validate, audit and bump versions. Errors become problem+json
in guanxi.platform.api_errors.
"""

from guanxi.customers.api import contacts, customers, interactions, tags
from guanxi.customers.api._common import router

__all__ = ["contacts", "customers", "interactions", "router", "tags"]
