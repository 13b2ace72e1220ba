"""The registry of notification kinds: apps register theirs in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_KINDS: dict[str, NotificationKind] = {}


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Any
    default_in_app: bool = True
    default_email: bool = False


def register_notification_kind(
    code: str, label: Any, *, default_email: bool = False, default_in_app: bool = True
) -> None:
    _KINDS[code] = NotificationKind(
        code=code, label=label, default_in_app=default_in_app, default_email=default_email
    )


def notification_kind(code: str) -> NotificationKind | None:
    return _KINDS.get(code)


def notification_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)
