"""Reads for notifications: always the actor's own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from guanxi.notifications.kinds import notification_kinds
from guanxi.notifications.models import Notification, NotificationPreference
from guanxi.notifications.services import channels_for

BELL_SIZE = 8


def notification_list(*, actor: Any, unread_only: bool = False) -> QuerySet[Notification]:
    if not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=actor)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_unread_count(*, actor: Any) -> int:
    return notification_list(actor=actor, unread_only=True).count()


def notification_bell(*, actor: Any) -> dict[str, Any]:
    """What the navbar bell shows: the unread count and the latest few."""
    return {
        "unread_count": notification_unread_count(actor=actor),
        "latest": list(notification_list(actor=actor).order_by("-id")[:BELL_SIZE]),
    }


@dataclass(frozen=True)
class PreferenceRow:
    code: str
    label: Any
    in_app: bool
    email: bool


def notification_preference_rows(*, actor: Any) -> list[PreferenceRow]:
    saved = {p.kind: p for p in NotificationPreference.objects.filter(user=actor)}
    rows = []
    for kind in notification_kinds():
        if kind.code in saved:
            in_app, email = saved[kind.code].in_app, saved[kind.code].email
        else:
            in_app, email = channels_for(actor, kind.code)
        rows.append(PreferenceRow(code=kind.code, label=kind.label, in_app=in_app, email=email))
    return rows
