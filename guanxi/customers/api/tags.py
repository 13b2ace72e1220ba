"""Tags over the REST API (shared labels; managing them needs customers.manage_tag)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Status

from guanxi.customers import selectors, services
from guanxi.customers.api._common import (
    TAG_TAGS,
    router,
)
from guanxi.customers.models import Tag
from guanxi.customers.schemas import (
    TagIn,
    TagListOut,
    TagOut,
    TagPatchIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import Id, IfMatch, changes_of, expected_version, set_etag
from guanxi.platform.exceptions import NotFound


def _tag_out(tag: Tag) -> dict[str, Any]:
    return {
        "id": tag.pk,
        "name": tag.name,
        "color": tag.color,
        "group": tag.group.name if tag.group_id and tag.group else None,
        "version": tag.version,
    }


# --- tags ------------------------------------------------------------------------------


def _tag_get(tag_id: int) -> Tag:
    tag = selectors.tag_list().filter(pk=tag_id).first()
    if tag is None:
        raise NotFound("tag")
    return tag


@router.get("/tags", response={200: TagListOut, **READ_ERRORS}, tags=TAG_TAGS)
def tag_list(request: HttpRequest) -> dict[str, Any]:
    """Every tag (tags are shared labels, visible to all staff)."""
    return {"items": [_tag_out(t) for t in selectors.tag_list()]}


@router.get("/tags/{tag_id}", response={200: TagOut, **READ_ERRORS}, tags=TAG_TAGS)
def tag_get(request: HttpRequest, tag_id: Id, response: HttpResponse) -> Any:
    tag = _tag_get(tag_id)
    set_etag(response, tag.version)
    return _tag_out(tag)


@router.post("/tags", response={201: TagOut, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_create(request: HttpRequest, payload: TagIn, response: HttpResponse) -> Status:
    tag = services.tag_create(actor=request.user, name=payload.name, color=payload.color)
    set_etag(response, tag.version)
    return Status(201, _tag_out(_tag_get(tag.pk)))


@router.patch("/tags/{tag_id}", response={200: TagOut, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_update(
    request: HttpRequest,
    tag_id: Id,
    payload: TagPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    tag = _tag_get(tag_id)
    services.tag_update(
        actor=request.user,
        tag=tag,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    tag = _tag_get(tag_id)
    set_etag(response, tag.version)
    return _tag_out(tag)


@router.delete("/tags/{tag_id}", response={204: None, **WRITE_ERRORS}, tags=TAG_TAGS)
def tag_delete(request: HttpRequest, tag_id: Id) -> Status:
    """Delete a tag: it is removed from every customer (tags are labels, not data)."""
    services.tag_delete(actor=request.user, tag=_tag_get(tag_id))
    return Status(204, None)
