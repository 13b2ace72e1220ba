"""Personal iCalendar feed tokens: a secret in the URL, only its hash in the database."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.activities.models import CalendarFeedToken
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import PermissionDenied

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def calendar_feed_token_regenerate(*, actor: Any) -> str:
    """Revoke the actor's live feed token (if any) and issue a new one.

    Answers the token itself: the caller shows it once; it cannot be read back.
    """
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied("not signed in")
    now = timezone.now()
    revoked = CalendarFeedToken.objects.select_for_update().filter(
        user=actor, revoked_at__isnull=True
    )
    had_one = revoked.update(revoked_at=now) > 0
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed_token = CalendarFeedToken.objects.create(user=actor, token_hash=token_hash(token))
    audit_record(
        actor=actor,
        action="activities.feed_token.regenerated" if had_one else "activities.feed_token.created",
        instance=feed_token,
    )
    return token


@transaction.atomic
def calendar_feed_token_revoke(*, actor: Any) -> bool:
    """Stop the actor's feed (subscribed calendars get 404 from now on)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("not signed in")
    live = CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).first()
    if live is None:
        return False
    live.revoked_at = timezone.now()
    live.save(update_fields=["revoked_at", "updated_at"])
    audit_record(actor=actor, action="activities.feed_token.revoked", instance=live)
    return True


def calendar_feed_token_used(feed_token: CalendarFeedToken) -> None:
    """Note the last fetch (at most once an hour per token: phones poll often)."""
    now = timezone.now()
    last = feed_token.last_used_at
    if last is None or (now - last).total_seconds() > 3600:
        CalendarFeedToken.objects.filter(pk=feed_token.pk).update(last_used_at=now)
