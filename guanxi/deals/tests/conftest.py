"""Deals test setup: the built-in roles hold the opportunity permissions.

Migration deals/0002 grants them on a migrated database; tests that flush the
database (live-server browser tests) recreate the roles from
accounts.builtin_roles, which may not list the deals codes yet, so add them here
the way the migration does.
"""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.deals.permissions import BUILTIN_GRANTS


@pytest.fixture(autouse=True)
def _deals_role_permissions(request: Any) -> None:
    if "org" not in request.fixturenames:
        return
    org = request.getfixturevalue("org")
    from guanxi.accounts.models import Role
    from guanxi.platform.permissions import forget_cached_permissions

    for code, wanted in BUILTIN_GRANTS.items():
        role = Role.objects.filter(code=code).first()
        if role is None or "*" in (role.permissions or []):
            continue
        missing = [permission for permission in wanted if permission not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    for user in vars(org).values():
        if getattr(user, "role_id", None):
            user.role = Role.objects.get(pk=user.role_id)
            forget_cached_permissions(user)
