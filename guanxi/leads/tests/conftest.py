"""The shared `org`, with the lead permissions on its built-in roles.

accounts.builtin_roles does not list the lead codes yet (the lead adds them);
until then this grants leads.permissions.BUILTIN_GRANTS the way migration 0002
does for existing installations (and the deals grants, which conversion uses:
transactional tests flush the roles their migration granted). Once listed
there, this changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.leads.permissions import BUILTIN_GRANTS


@pytest.fixture
def org(org: Any) -> Any:
    from guanxi.accounts.models import Role
    from guanxi.platform.permissions import forget_cached_permissions

    grants = {code: list(wanted) for code, wanted in BUILTIN_GRANTS.items()}
    try:
        from guanxi.deals.permissions import BUILTIN_GRANTS as DEAL_GRANTS
    except ImportError:
        DEAL_GRANTS = {}
    for code, wanted in DEAL_GRANTS.items():
        grants.setdefault(code, []).extend(wanted)
    for code, wanted in grants.items():
        role = Role.objects.get(code=code, is_builtin=True)
        missing = [permission for permission in wanted if permission not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    for user in (
        org.admin,
        org.manager,
        org.east_rep,
        org.east_rep2,
        org.west_rep,
        org.service_agent,
    ):
        if user.role is not None:
            user.role.refresh_from_db()
        forget_cached_permissions(user)
    return org
