"""Template filters for leads: phones and e-mails shown in full or masked, by the
customers' rule (customers.masking), so pages show what the API shows."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.customers.masking import emails_for, phones_for

register = template.Library()


@register.filter
def lead_phone(value: str, user: Any) -> str:
    """{{ lead.mobile|lead_phone:user }}: national digits, or 138****5678."""
    return phones_for(user, [value])[0] if value else ""


@register.filter
def lead_email(value: str, user: Any) -> str:
    return emails_for(user, [value])[0] if value else ""
