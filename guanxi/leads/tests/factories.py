"""Helpers that create leads through the services (STYLE.md rule 14)."""

from __future__ import annotations

from typing import Any

from guanxi.customers.tests.factories import _superuser_actor
from guanxi.leads.models import Lead
from guanxi.leads.services import lead_create


def make_lead(*, actor: Any = None, **fields: Any) -> Lead:
    """A lead created by `actor` (default: a superuser); owner defaults to the actor
    (pass owner=None to let the assignment rules decide)."""
    actor = actor or _superuser_actor()
    fields.setdefault("name", "陈晓明")
    fields.setdefault("owner", actor)
    return lead_create(actor=actor, **fields)
