from __future__ import annotations

from typing import Any

import pytest

from guanxi.reports.permissions import REPORT_ROLES, VIEW_SALES_REPORTS


@pytest.fixture
def org(org: Any) -> Any:
    """The shared organisation, with the sales roles holding the report permission
    and the opportunity permissions (migrations grant them; a flushed live-server
    database recreates the roles from accounts.builtin_roles, which may not list
    them yet)."""
    from guanxi.accounts.models import Role
    from guanxi.deals.permissions import BUILTIN_GRANTS
    from guanxi.platform.permissions import forget_cached_permissions

    wanted: dict[str, list[str]] = {code: list(codes) for code, codes in BUILTIN_GRANTS.items()}
    for code in REPORT_ROLES:
        wanted.setdefault(code, []).append(VIEW_SALES_REPORTS)
    for code, permissions in wanted.items():
        role = Role.objects.filter(code=code).first()
        if role is None or "*" in (role.permissions or []):
            continue
        missing = [p for p in permissions if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    for user in vars(org).values():
        if getattr(user, "role_id", None):
            user.role = Role.objects.get(pk=user.role_id)
            forget_cached_permissions(user)
    return org
