"""Built-in roles hold the task permissions, also on installations that predate tasks."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps

from guanxi.accounts.models import Role
from guanxi.activities.permissions import TASK_ALL

pytestmark = pytest.mark.django_db


def test_migration_adds_task_permissions_and_keeps_the_rest(org: Any) -> None:
    role = Role.objects.get(code="sales", is_builtin=True)
    role.permissions = [code for code in role.permissions if not code.startswith("activities.")]
    role.permissions.append("custom.extra")
    role.save(update_fields=["permissions"])
    migration = import_module("guanxi.activities.migrations.0002_builtin_role_permissions")
    migration.grant(apps, None)
    role.refresh_from_db()
    assert set(TASK_ALL) <= set(role.permissions)
    assert "custom.extra" in role.permissions
    assert Role.objects.get(code="admin").permissions == ["*"]
