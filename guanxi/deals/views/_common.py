"""Helpers shared by the opportunity pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from guanxi.deals import selectors
from guanxi.deals.models import Opportunity
from guanxi.platform.exceptions import NotFound


def get_opportunity(request: HttpRequest, opportunity_id: Any, action: str = "view") -> Opportunity:
    try:
        return selectors.opportunity_get(
            actor=request.user, opportunity_id=opportunity_id, action=action
        )
    except NotFound as error:
        raise Http404(str(error)) from error


def filter_widgets(request: HttpRequest) -> tuple[list[Any] | None, list[Any] | None]:
    """Owner and team choices for managers; a rep who sees only their own gets none."""
    if not selectors.can_filter_by_owner(request.user):
        return None, None
    return (
        selectors.owner_choices(actor=request.user),
        selectors.team_choices(actor=request.user),
    )
