from __future__ import annotations

from typing import Any

import pytest

from guanxi.reports.permissions import REPORT_ROLES, VIEW_SALES_REPORTS


@pytest.fixture
def org(org: Any) -> Any:
    """The shared organisation, with the sales roles holding the report permission
    (migration 0002 grants it; a flushed live-server database recreates the roles
    from accounts.builtin_roles, which may not list it yet)."""
    from guanxi.accounts.models import Role

    for role in Role.objects.filter(code__in=REPORT_ROLES):
        if VIEW_SALES_REPORTS not in role.permissions:
            role.permissions = [*role.permissions, VIEW_SALES_REPORTS]
            role.save(update_fields=["permissions"])
    for user in (org.manager, org.east_rep, org.east_rep2, org.west_rep):
        user.refresh_from_db()
        user.role.refresh_from_db()
        if hasattr(user, "_guanxi_permission_codes"):
            del user._guanxi_permission_codes
    return org
