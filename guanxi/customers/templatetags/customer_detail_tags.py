"""Display helpers for the customer 360 page."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.safestring import SafeString, mark_safe

from guanxi.platform.text import sanitize_html

register = template.Library()


@register.filter
def rich_text(value: str | None) -> SafeString:
    """Notes and follow-up content: stored sanitised by the services, sanitised again
    here so rows written by other paths (imports, bulk inserts) cannot inject markup."""
    return mark_safe(sanitize_html(value or ""))  # nh3 output is safe HTML


@register.filter
def changed_fields(entry: Any) -> str:
    """The labels of the fields an audit entry of an update changed: "行业、名称"."""
    changes = getattr(entry, "changes", None) or {}
    if not changes or not isinstance(changes, dict) or "after" in changes:
        return ""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        model = None
    labels = []
    for key in changes:
        try:
            labels.append(str(model._meta.get_field(key).verbose_name) if model else key)
        except FieldDoesNotExist:
            labels.append(key)
    return "、".join(labels)
