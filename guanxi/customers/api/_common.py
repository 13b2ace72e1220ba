"""Shared by the customers app's API modules: the router and small helpers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from guanxi.platform.selectors import recycle_bin_list

router = Router(tags=["customers"])

CUSTOM_FILTER_PREFIX = "cf."
CONTACT_TAGS = ["contacts"]
INTERACTION_TAGS = ["interactions"]
TAG_TAGS = ["tags"]


def custom_filters(request: HttpRequest) -> dict[str, str]:
    """Custom-field filters come as `cf.<key>=<value>` query parameters."""
    return {
        key[len(CUSTOM_FILTER_PREFIX) :]: value[:200]
        for key, value in request.GET.items()
        if key.startswith(CUSTOM_FILTER_PREFIX) and value
    }


def deleted_get(request: HttpRequest, model: type, record_id: int) -> Any:
    """A record in the actor's recycle bin (delete scope), or None."""
    for _entry, rows in recycle_bin_list(actor=request.user, type_key=model._meta.label_lower):
        return rows.filter(pk=record_id).first()
    return None
