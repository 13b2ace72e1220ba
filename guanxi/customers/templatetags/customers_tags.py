"""Template filters for customer data. Masking goes through customers.masking so
pages show exactly what the API and exports show."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.customers.masking import emails_for, phones_for

register = template.Library()


@register.filter
def phones_visible_to(phones: list[str], user: Any) -> list[str]:
    """{{ customer.phones|phones_visible_to:user|join:", " }}"""
    return phones_for(user, phones)


@register.filter
def emails_visible_to(emails: list[str], user: Any) -> list[str]:
    return emails_for(user, emails)


@register.filter
def custom_value(values: dict[str, Any], key: str) -> Any:
    """A custom field's stored value; lists joined for display."""
    value = (values or {}).get(key, "")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value
