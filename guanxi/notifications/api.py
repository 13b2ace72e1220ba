"""Notifications over the REST API: the caller's own, listed and marked read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from guanxi.notifications import selectors, services
from guanxi.notifications.models import Notification
from guanxi.notifications.schemas import (
    NotificationFilter,
    NotificationOut,
    NotificationPageOut,
    ReadAllOut,
)
from guanxi.platform.api_errors import READ_ERRORS
from guanxi.platform.api_support import Id, keyset_page_out

router = Router(tags=["notifications"])


def _notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


@router.get("/notifications", response={200: NotificationPageOut, **READ_ERRORS})
def notification_list(request: HttpRequest, filters: Query[NotificationFilter]) -> Any:
    """The caller's notifications, newest first, with the unread count."""
    page = keyset_page_out(
        selectors.notification_list(actor=request.user, unread_only=filters.unread),
        ordering=["-id"],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_notification_out,
    )
    return {**page, "unread_count": selectors.notification_unread_count(actor=request.user)}


@router.post(
    "/notifications/{notification_id}/read", response={200: NotificationOut, **READ_ERRORS}
)
def notification_read(request: HttpRequest, notification_id: Id) -> Any:
    """Mark one notification read (another user's answers 404)."""
    notification = services.notification_mark_read(
        actor=request.user, notification_id=notification_id
    )
    return _notification_out(notification)


@router.post("/notifications/read-all", response={200: ReadAllOut, **READ_ERRORS})
def notification_read_all(request: HttpRequest) -> Any:
    """Mark all of the caller's notifications read."""
    return {"marked": services.notification_mark_all_read(actor=request.user)}
