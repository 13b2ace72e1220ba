"""The one place activities sends notifications (kinds registered in ActivitiesConfig)."""

from __future__ import annotations

from typing import Any

from guanxi.notifications.services import notification_send


def notify(*, recipient: Any, kind: str, title: str, body: str = "", url: str = "") -> None:
    """In-app and/or e-mail per the recipient's choices; safe inside a transaction."""
    notification_send(recipient=recipient, kind=kind, title=title, body=body, url=url)
