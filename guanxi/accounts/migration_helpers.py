"""Helpers for data migrations of apps that add permissions to the built-in roles."""

from __future__ import annotations

from typing import Any


def grant_builtin_permissions(apps: Any, app_label: str) -> None:
    """Give existing built-in roles the `<app_label>.*` codes BUILTIN_ROLES lists for them.

    For installations that predate the app. Only adds codes (never removes what an
    admin granted or took away elsewhere); a role that holds "*" needs nothing.
    Uses the historical Role model from `apps`, as a migration must.
    """
    from guanxi.accounts.builtin_roles import BUILTIN_ROLES

    role_model = apps.get_model("accounts", "Role")
    for spec in BUILTIN_ROLES:
        wanted = [code for code in spec["permissions"] if code.startswith(f"{app_label}.")]
        role = role_model.objects.filter(code=spec["code"], is_builtin=True).first()
        if role is None or not wanted or "*" in (role.permissions or []):
            continue
        current = list(role.permissions or [])
        added = [code for code in wanted if code not in current]
        if added:
            role.permissions = current + added
            role.save(update_fields=["permissions"])
