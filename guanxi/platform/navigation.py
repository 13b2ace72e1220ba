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
            NavEntry(_("Calendar"), "activities:calendar", "activities.view_task"),
            NavEntry(_("Meetings"), "activities:meeting_list", "activities.view_meeting"),
        ],
    ),
    NavGroup(
        _("Customers"),
        [
            NavEntry(_("Customers"), "customers:customer_list", "customers.view_customer"),
            NavEntry(_("Contacts"), "customers:contact_list", "customers.view_contact"),
            NavEntry(_("Shared pool"), "pool:pool_list", "pool.view_pool"),
        ],
    ),
    NavGroup(
        _("Sales"),
        [
            NavEntry(_("Leads"), "leads:lead_list", "leads.view_lead"),
            NavEntry(_("Opportunities"), "deals:opportunity_board", "deals.view_opportunity"),
            NavEntry(_("Quotes"), "sales:quote_list", "sales.view_quote"),
            NavEntry(_("Contracts"), "contracts:contract_list", "contracts.view_contract"),
            NavEntry(_("Receivables"), "contracts:receivables", "contracts.view_contract"),
            NavEntry(_("Orders"), "sales:order_list", "sales.view_order"),
            NavEntry(_("Products"), "sales:product_list", "sales.view_product"),
        ],
    ),
    NavGroup(
        _("Reports"),
        [
            NavEntry(_("Sales trend"), "reports:sales_trend", "reports.view_sales_reports"),
            NavEntry(_("Sales funnel"), "reports:sales_funnel", "reports.view_sales_reports"),
            NavEntry(_("Forecast"), "reports:sales_forecast", "reports.view_sales_reports"),
            NavEntry(_("Report builder"), "reports:builder", "reports.view_sales_reports"),
            NavEntry(_("Saved reports"), "reports:saved_report_list", "reports.view_sales_reports"),
            NavEntry(_("Dashboard"), "analytics:dashboard", "analytics.view_scores"),
            NavEntry(_("Churn warnings"), "analytics:churn_list", "analytics.view_scores"),
            NavEntry(_("Lifecycle stage flow"), "analytics:stage_flow", "analytics.view_scores"),
        ],
    ),
    NavGroup(
        _("System"),
        [
            NavEntry(_("Settings"), "accounts:settings_home"),
            NavEntry(_("Pipelines"), "deals:pipeline_list", "deals.manage_pipeline"),
            NavEntry(
                _("Scoring settings"), "analytics:scoring_settings", "analytics.manage_scoring"
            ),
            NavEntry(_("Pool rules"), "pool:pool_rule_list", "pool.manage_pool_rules"),
            NavEntry(
                _("Contract numbering"), "contracts:sequence_settings", "contracts.manage_sequence"
            ),
            NavEntry(_("My imports"), "platform:import_list"),
            NavEntry(_("Recycle bin"), "platform:recycle_bin"),
        ],
    ),
]


def _matches(request: HttpRequest, url: str) -> bool:
    return request.path == url if url == "/" else request.path.startswith(url)


def _visible_links(request: HttpRequest, entries: list[NavEntry]) -> list[dict[str, Any]]:
    links = []
    for entry in entries:
        if entry.permission and not has_permission(request.user, entry.permission):
            continue
        links.append({"label": entry.label, "url": reverse(entry.url_name), "active": False})
    return links


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    """Top-level items: links ({label, url, active}) and groups (plus `children`).

    The one active link is the longest URL the current path starts with, so
    /reports/funnel/ lights "Sales funnel" and not also "Sales trend" at /reports/.
    """
    items: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for item in NAV:
        entries = [item] if isinstance(item, NavEntry) else item.entries
        children = _visible_links(request, entries)
        links.extend(children)
        if isinstance(item, NavEntry) or len(children) == 1:
            items.extend(children)
        elif children:
            items.append({"label": item.label, "children": children})
    matching = [link for link in links if _matches(request, link["url"])]
    if matching:
        max(matching, key=lambda link: len(link["url"]))["active"] = True
    for item in items:
        if "children" in item:
            item["active"] = any(child["active"] for child in item["children"])
    return items
