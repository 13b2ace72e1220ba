"""The main menu: a few top-level entries, most of them groups shown as dropdowns.

Apps' pages are listed here in order, each with the permission that shows it. A
group with one visible entry becomes a plain link; a group with none disappears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import has_permission


@dataclass(frozen=True)
class NavEntry:
    label: Any
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class NavGroup:
    label: Any
    entries: list[NavEntry] = field(default_factory=list)


NAV: list[NavEntry | NavGroup] = [
    NavEntry(_("Home"), "home"),
    NavGroup(
        _("Work"),
        [
            NavEntry(_("Tasks"), "activities:task_list", "activities.view_task"),
        ],
    ),
    NavGroup(
        _("Customers"),
        [
            NavEntry(_("Customers"), "customers:customer_list", "customers.view_customer"),
            NavEntry(_("Contacts"), "customers:contact_list", "customers.view_contact"),
        ],
    ),
    NavGroup(
        _("Sales"),
        [
            NavEntry(_("Orders"), "sales:order_list", "sales.view_order"),
            NavEntry(_("Products"), "sales:product_list", "sales.view_product"),
        ],
    ),
    NavGroup(
        _("System"),
        [
            NavEntry(_("Settings"), "accounts:settings_home"),
            NavEntry(_("My imports"), "platform:import_list"),
            NavEntry(_("Recycle bin"), "platform:recycle_bin"),
        ],
    ),
]


def _is_active(request: HttpRequest, url: str) -> bool:
    return request.path == url if url == "/" else request.path.startswith(url)


def _visible_links(request: HttpRequest, entries: list[NavEntry]) -> list[dict[str, Any]]:
    links = []
    for entry in entries:
        if entry.permission and not has_permission(request.user, entry.permission):
            continue
        url = reverse(entry.url_name)
        links.append({"label": entry.label, "url": url, "active": _is_active(request, url)})
    return links


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    """Top-level items: links ({label, url, active}) and groups (plus `children`)."""
    items: list[dict[str, Any]] = []
    for item in NAV:
        if isinstance(item, NavEntry):
            items.extend(_visible_links(request, [item]))
            continue
        children = _visible_links(request, item.entries)
        if len(children) == 1:
            items.append(children[0])
        elif children:
            items.append(
                {
                    "label": item.label,
                    "children": children,
                    "active": any(child["active"] for child in children),
                }
            )
    return items
