"""The organisation of guanxi/conftest.py, with the meeting permissions its built-in
roles get from migration 0004 (until accounts.builtin_roles lists them itself)."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.accounts.models import Role
from guanxi.activities.permissions import MEETING_ALL, MEETING_ROLES
from guanxi.platform.permissions import forget_cached_permissions


@pytest.fixture
def org(org: Any) -> Any:
    for role in Role.objects.filter(code__in=MEETING_ROLES):
        missing = [code for code in MEETING_ALL if code not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    for user in (org.manager, org.east_rep, org.east_rep2, org.west_rep, org.service_agent):
        user.refresh_from_db()
        forget_cached_permissions(user)
    return org
