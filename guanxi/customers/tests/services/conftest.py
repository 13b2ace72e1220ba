"""Shared helpers for the customers service tests: a request origin for the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import models

from guanxi.platform.models import AuditEntry
from guanxi.platform.request_context import RequestOrigin, reset_origin, set_origin

ORIGIN_IP = "203.0.113.7"


@pytest.fixture
def origin() -> Iterator[RequestOrigin]:
    """Writes in the test come 'from' ORIGIN_IP, as RequestContextMiddleware would set."""
    value = RequestOrigin(ip=ORIGIN_IP, user_agent="pytest")
    token = set_origin(value)
    yield value
    reset_origin(token)


def audit_entries(instance: models.Model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(instance.pk)
        ).order_by("id")
    )


def only_entry(instance: models.Model, action: str) -> Any:
    """The single audit entry `action` left on `instance` (fails on none or several)."""
    entries = [e for e in audit_entries(instance) if e.action == action]
    assert len(entries) == 1, [e.action for e in audit_entries(instance)]
    return entries[0]
