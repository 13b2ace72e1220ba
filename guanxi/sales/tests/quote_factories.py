"""Helpers for the quote tests: quotes through the services, and the built-in roles'
quote permissions (STYLE.md rule 14)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from guanxi.customers.tests.factories import _superuser_actor
from guanxi.platform.permissions import forget_cached_permissions
from guanxi.sales.models import Quote
from guanxi.sales.permissions import QUOTE_BUILTIN_GRANTS
from guanxi.sales.services import quote_create
from guanxi.sales.tests.factories import make_product


@pytest.fixture
def quote_roles(org: Any) -> Any:
    """The built-in roles of `org` hold the quote permissions, as migration 0004 grants
    them (a no-op once accounts' BUILTIN_ROLES lists them; `org` creates roles from
    that list, not through migrations). Use with `usefixtures("quote_roles")`."""
    from guanxi.accounts.models import Role

    for code, wanted in QUOTE_BUILTIN_GRANTS.items():
        role = Role.objects.get(code=code)
        missing = [perm for perm in wanted if perm not in (role.permissions or [])]
        if missing:
            role.permissions = [*(role.permissions or []), *missing]
            role.save(update_fields=["permissions"])
    for user in vars(org).values():
        if hasattr(user, "role_id"):
            user.refresh_from_db()
            forget_cached_permissions(user)
    return org


def make_quote(
    *, customer: Any, lines: list[dict[str, Any]] | None = None, actor: Any = None, **fields: Any
) -> Quote:
    """A draft quote for `customer`, written by its owner unless `actor=` is given."""
    if lines is None:
        lines = [{"product": make_product(list_price=Decimal("100.00")).pk, "quantity": 1}]
    return quote_create(
        actor=actor or customer.owner or _superuser_actor(),
        customer=customer,
        lines=lines,
        **fields,
    )
