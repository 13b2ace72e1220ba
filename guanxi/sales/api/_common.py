"""The sales API's router and what its order and quote endpoints share."""

from typing import Any

from ninja import Router

router = Router(tags=["sales"])


def payload_lines(payload: Any) -> list[dict[str, Any]] | None:
    """A payload's lines as plain dicts for the services; None when it has none
    (on update: keep the stored lines)."""
    if payload.lines is None:
        return None
    return [line.model_dump() for line in payload.lines]
