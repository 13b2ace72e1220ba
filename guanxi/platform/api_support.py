"""Small helpers every API router shares: ETags, If-Match, keyset pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Schema
from pydantic import ConfigDict

from guanxi.platform.exceptions import ValidationError
from guanxi.platform.pagination import keyset_page

MAX_ID = 2**63 - 1
# A database id: bounded so a huge number is a 422, not an overflow in the driver.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class InSchema(Schema):
    """Base of every input schema: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The ETag from GET (W/"<version>"); a stale one answers 409.',
        max_length=100,
    ),
]

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,18})"?\s*$')


def etag_of(version: int) -> str:
    return f'W/"{version}"'


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag_of(version)


def expected_version(if_match: str | None, body_version: int | None = None) -> int | None:
    """The version the client read: If-Match (W/"3", "3" or 3), else `version` in the body.

    No If-Match and no version means "overwrite" (allowed; the UI always sends one).
    `If-Match: *` means "whatever is there".
    """
    header = if_match
    if header is None or header.strip() in ("", "*"):
        return body_version
    match = _ETAG.match(header)
    if match is None:
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={"If-Match": [_('Send the ETag you received, e.g. W/"3".')]},
        )
    return int(match.group(1))


def changes_of(payload: Any, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """Only the fields the client sent (PATCH semantics)."""
    data = payload.model_dump(exclude_unset=True)
    for name in exclude or set():
        data.pop(name, None)
    return data


def keyset_page_out(
    qs: QuerySet,
    *,
    ordering: list[str],
    cursor: str | None,
    limit: int,
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One keyset page as the API answers it: {"items": [...], "next_cursor": ...}."""
    page = keyset_page(qs, ordering=ordering, cursor=cursor, size=limit)
    return {"items": [render(item) for item in page.items], "next_cursor": page.next_cursor}
