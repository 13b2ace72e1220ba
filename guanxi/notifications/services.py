"""Writes for notifications: send, mark read, save a user's choices.

`notification_send` is what every other app calls. It is safe inside a
transaction: the in-app row is part of the caller's transaction, and the e-mail
is queued only when that transaction commits (STYLE rule 3). Sending a
notification is not audited (it is a consequence of an audited write, and the row
itself is the record); changing one's choices is.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from guanxi.notifications.kinds import notification_kind, notification_kinds
from guanxi.notifications.models import Notification, NotificationPreference
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound

logger = logging.getLogger(__name__)

TITLE_MAX = 200


def channels_for(recipient: Any, kind: str) -> tuple[bool, bool]:
    """(in_app, email) for this recipient and kind: their saved choice or the kind's default."""
    preference = NotificationPreference.objects.filter(user=recipient, kind=kind).first()
    if preference is not None:
        return preference.in_app, preference.email
    registered = notification_kind(kind)
    if registered is None:
        logger.warning("notification kind %r is not registered; using defaults", kind)
        return True, False
    return registered.default_in_app, registered.default_email


def notification_send(
    *, recipient: Any, kind: str, title: Any, body: Any = "", url: str = ""
) -> Notification | None:
    """Tell `recipient` something, in the app and/or by e-mail as they chose.

    `title` and `body` may be lazy translations: they are rendered in the
    recipient's language, not the sender's. Inactive users get nothing. Returns the
    in-app notification, or None when the recipient does not want one.
    """
    if recipient is None or not recipient.is_active:
        return None
    in_app, email = channels_for(recipient, kind)
    with translation.override(getattr(recipient, "language", "") or settings.LANGUAGE_CODE):
        title_text = str(title)[:TITLE_MAX]
        body_text = str(body)
    notification = None
    if in_app:
        notification = Notification.objects.create(
            recipient=recipient, kind=kind, title=title_text, body=body_text, url=url
        )
    if email and recipient.email:
        from guanxi.notifications.tasks import notification_email_task

        recipient_id = recipient.pk
        transaction.on_commit(
            lambda: notification_email_task(recipient_id, title_text, body_text, url)
        )
    return notification


def notification_mark_read(*, actor: Any, notification_id: Any) -> Notification:
    """Mark one of the actor's notifications read; another user's is not found."""
    try:
        notification = Notification.objects.get(pk=int(notification_id), recipient=actor)
    except (Notification.DoesNotExist, TypeError, ValueError) as error:
        raise NotFound("notification") from error
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def notification_preferences_save(*, actor: Any, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store the actor's (in_app, email) choice for each registered kind given."""
    known = {kind.code for kind in notification_kinds()}
    before = {
        preference.kind: [preference.in_app, preference.email]
        for preference in NotificationPreference.objects.filter(user=actor)
    }
    after = {}
    for kind, (in_app, email) in choices.items():
        if kind not in known:
            continue
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
        after[kind] = [bool(in_app), bool(email)]
    changes = {
        kind: [before.get(kind), value]
        for kind, value in after.items()
        if before.get(kind) != value
    }
    if changes:
        audit_record(
            actor=actor,
            action="notifications.preferences.changed",
            instance=None,
            object_type="notifications.notificationpreference",
            changes=changes,
        )


def notifications_purge(*, read_before: Any) -> int:
    """Delete read notifications older than `read_before` (nightly housekeeping)."""
    deleted, _ = Notification.objects.filter(read_at__lt=read_before).delete()
    return deleted
