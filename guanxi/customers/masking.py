"""How phones and e-mails are shown to an actor: in full, or masked (PIPL).

Every output path (pages, API, search results, exports) goes through these,
so the rule lives in one place.
"""

from __future__ import annotations

from typing import Any

from guanxi.customers.selectors import can_see_contact_details
from guanxi.platform.phones import display_phone, mask_email, mask_phone


def phones_for(actor: Any, phones: list[str], *, full: bool | None = None) -> list[str]:
    full = can_see_contact_details(actor) if full is None else full
    return [display_phone(p) if full else mask_phone(p) for p in phones or []]


def emails_for(actor: Any, emails: list[str], *, full: bool | None = None) -> list[str]:
    full = can_see_contact_details(actor) if full is None else full
    return [e if full else mask_email(e) for e in emails or []]
