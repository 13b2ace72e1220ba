"""The permission registry: every permission code an app checks, with its label.

Codes read `<app>.<action>_<entity>` (STYLE.md rule 11). Apps register theirs in
`AppConfig.ready()`; the role editor lists what is registered. A role holding
"*" has every permission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.functional import Promise

ALL_PERMISSIONS = "*"


@dataclass(frozen=True)
class PermissionInfo:
    code: str
    label: str | Promise
    group: str | Promise


_registry: dict[str, PermissionInfo] = {}


def register_permissions(group: str | Promise, entries: dict[str, str | Promise]) -> None:
    for code, label in entries.items():
        _registry[code] = PermissionInfo(code=code, label=label, group=group)


def registered_permissions() -> list[PermissionInfo]:
    return list(_registry.values())


def is_registered(code: str) -> bool:
    return code in _registry


def permission_codes_of(actor: Any) -> frozenset[str]:
    """The permission codes an actor holds, cached on the instance for the request."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return frozenset()
    cached = getattr(actor, "_guanxi_permission_codes", None)
    if cached is not None:
        return cached
    codes: set[str] = set()
    if actor.is_superuser:
        codes.add(ALL_PERMISSIONS)
    role = getattr(actor, "role", None)
    if role is not None:
        codes.update(role.permissions or [])
    result = frozenset(codes)
    actor._guanxi_permission_codes = result
    return result


def has_permission(actor: Any, code: str) -> bool:
    codes = permission_codes_of(actor)
    return ALL_PERMISSIONS in codes or code in codes


def require_page_permission(request: Any, code: str) -> None:
    """For views: a user without the permission gets the 403 page."""
    if not has_permission(request.user, code):
        raise DjangoPermissionDenied


def forget_cached_permissions(actor: Any) -> None:
    if hasattr(actor, "_guanxi_permission_codes"):
        del actor._guanxi_permission_codes
