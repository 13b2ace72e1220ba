from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

READ_RETENTION_DAYS = 180


@db_task(retries=3, retry_delay=60)
def notification_email_task(recipient_id: int, subject: str, body: str, url: str) -> None:
    """E-mail one notification through the configured backend (console by default)."""
    recipient = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None or not recipient.email:
        return
    text = body
    if url:
        base = getattr(settings, "GUANXI_SITE_URL", "").rstrip("/")
        text = f"{body}\n\n{base}{url}" if body else f"{base}{url}"
    send_mail(subject, text, None, [recipient.email])


@db_periodic_task(crontab(hour="4", minute="10"))
def notifications_purge_task() -> None:
    """Nightly: forget notifications read more than half a year ago."""
    from guanxi.notifications.services import notifications_purge

    notifications_purge(read_before=timezone.now() - dt.timedelta(days=READ_RETENTION_DAYS))
