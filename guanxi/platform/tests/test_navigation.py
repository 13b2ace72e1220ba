"""The main menu: grouped, permission-filtered, one active entry."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from guanxi.platform.navigation import NAV, NavEntry, navigation_items
from guanxi.platform.permissions import has_permission

pytestmark = pytest.mark.django_db


def _menu(user: Any, path: str) -> list[dict[str, Any]]:
    request = RequestFactory().get(path)
    request.user = user
    return navigation_items(request)


def _labels(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["label"]) for item in items]


def _urls(items: list[dict[str, Any]]) -> set[str]:
    return {link["url"] for item in items for link in item.get("children", [item])}


def _active(items: list[dict[str, Any]]) -> list[str]:
    links = [child for item in items for child in item.get("children", [item])]
    return [link["url"] for link in links if link["active"]]


def test_only_the_longest_matching_link_is_active(org: Any) -> None:
    items = _menu(org.admin, "/reports/funnel/")
    assert _active(items) == ["/reports/funnel/"]
    reports = next(item for item in items if item.get("children") and item["active"])
    assert "/reports/" in [child["url"] for child in reports["children"]]
    assert _active(_menu(org.admin, "/")) == ["/"]


def test_entries_follow_permissions(org: Any) -> None:
    for user in (org.admin, org.east_rep, org.service_agent):
        shown = _urls(_menu(user, "/"))
        for item in NAV:
            for entry in [item] if isinstance(item, NavEntry) else item.entries:
                allowed = entry.permission is None or has_permission(user, entry.permission)
                assert (reverse(entry.url_name) in shown) == allowed, (user, entry.url_name)
