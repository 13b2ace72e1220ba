"""The main menu. Apps add their entries here in order; each has a permission."""

from __future__ import annotations

from dataclasses import dataclass
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


NAV_ENTRIES = [
    NavEntry(_("Home"), "home"),
    NavEntry(_("Tasks"), "activities:task_list", "activities.view_task"),
    NavEntry(_("Customers"), "customers:customer_list", "customers.view_customer"),
    NavEntry(_("Contacts"), "customers:contact_list", "customers.view_contact"),
    NavEntry(_("Orders"), "sales:order_list", "sales.view_order"),
    NavEntry(_("Products"), "sales:product_list", "sales.view_product"),
    NavEntry(_("Recycle bin"), "platform:recycle_bin"),
    NavEntry(_("Settings"), "accounts:settings_home"),
]


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for entry in NAV_ENTRIES:
        if entry.permission and not has_permission(request.user, entry.permission):
            continue
        url = reverse(entry.url_name)
        is_active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": entry.label, "url": url, "active": is_active})
    return items
