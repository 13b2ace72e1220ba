"""The org fixture with the contract permissions on the built-in roles.

Until accounts/builtin_roles.py lists them, a flushed database (live-server tests)
recreates the roles without them; migration 0002 grants them on real installs.
"""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.contracts.permissions import MANAGE_SEQUENCE, MANAGER_CODES, REP_CODES, SERVICE_CODES

ROLE_CODES = {
    "sales": REP_CODES,
    "manager": [*MANAGER_CODES, MANAGE_SEQUENCE],
    "service": SERVICE_CODES,
}


@pytest.fixture
def org(org: Any) -> Any:
    from guanxi.accounts.models import Role
    from guanxi.platform.permissions import forget_cached_permissions

    for code, wanted in ROLE_CODES.items():
        role = Role.objects.get(code=code)
        missing = [name for name in wanted if name not in (role.permissions or [])]
        if missing:
            role.permissions = [*(role.permissions or []), *missing]
            role.save(update_fields=["permissions"])
    for user in (org.manager, org.east_rep, org.east_rep2, org.west_rep, org.service_agent):
        user.refresh_from_db()
        forget_cached_permissions(user)
    return org
