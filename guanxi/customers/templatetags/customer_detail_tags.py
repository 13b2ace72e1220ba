"""Display helpers for the customer 360 page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from guanxi.platform.text import sanitize_html

register = template.Library()


@register.filter
def rich_text(value: str | None) -> SafeString:
    """Notes and follow-up content: stored sanitised by the services, sanitised again
    here so rows written by other paths (imports, bulk inserts) cannot inject markup."""
    return mark_safe(sanitize_html(value or ""))  # nh3 output is safe HTML
