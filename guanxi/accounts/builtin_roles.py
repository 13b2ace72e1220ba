"""The roles a new installation starts with (editable afterwards, more can be added)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

CUSTOMER_READ = [
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_interaction",
]
CUSTOMER_WRITE = [
    "customers.add_customer",
    "customers.change_customer",
    "customers.delete_customer",
    "customers.add_contact",
    "customers.change_contact",
    "customers.delete_contact",
    "customers.add_interaction",
    "customers.change_interaction",
    "customers.delete_interaction",
]

# Products and orders (guanxi.sales); sales/migrations/0002 grants them to
# built-in roles of installations created before the sales app existed.
SALES_READ = ["sales.view_product", "sales.view_order"]
SALES_WRITE = ["sales.add_order", "sales.change_order", "sales.delete_order"]
SALES_MANAGE = [
    "sales.add_product",
    "sales.change_product",
    "sales.delete_product",
    "sales.manage_pricelist",
    "sales.export_order",
]

# Tasks (guanxi.activities); activities/migrations/0002 grants them to existing roles.
TASKS = [
    "activities.view_task",
    "activities.add_task",
    "activities.change_task",
    "activities.delete_task",
]

# Meetings (guanxi.activities); activities/migrations/0004 grants them to existing roles.
MEETINGS = [
    "activities.view_meeting",
    "activities.add_meeting",
    "activities.change_meeting",
    "activities.delete_meeting",
]

# Quotes (guanxi.sales); sales/migrations/0004 grants them to existing roles.
QUOTES = ["sales.view_quote", "sales.add_quote", "sales.change_quote", "sales.delete_quote"]

# Leads (guanxi.leads); leads/migrations/0002 grants them to existing roles.
LEADS = [
    "leads.view_lead",
    "leads.add_lead",
    "leads.change_lead",
    "leads.delete_lead",
    "leads.convert_lead",
]

# The shared pool (guanxi.pool); pool/migrations/0002 grants them to existing roles.
POOL_REP = ["pool.view_pool", "pool.claim_pool"]

# Opportunities (guanxi.deals); deals/migrations/0002 grants them to existing roles.
DEALS = [
    "deals.view_opportunity",
    "deals.add_opportunity",
    "deals.change_opportunity",
    "deals.delete_opportunity",
]

# Contracts and payments (guanxi.contracts); contracts/migrations/0002 grants them.
CONTRACTS_REP = [
    "contracts.view_contract",
    "contracts.add_contract",
    "contracts.change_contract",
    "contracts.delete_contract",
    "contracts.record_payment",
]
CONTRACTS_MANAGER = [*CONTRACTS_REP, "contracts.approve_contract", "contracts.manage_sequence"]

# Sales reports (guanxi.reports); reports/migrations/0002 grants them to existing roles.
REPORTS = [
    "reports.view_sales_reports",
    "reports.export_reports",
    "reports.schedule_reports",
    "reports.delete_savedreport",
]

# Customer scores (guanxi.analytics); analytics/migrations/0002 grants them.
ANALYTICS = ["analytics.view_scores"]

BUILTIN_ROLES: list[dict] = [
    {
        "code": "admin",
        "name": _("Administrator"),
        "data_scope": "all",
        "permissions": ["*"],
    },
    {
        "code": "manager",
        "name": _("Sales manager"),
        "data_scope": "subtree",
        "permissions": [
            *CUSTOMER_READ,
            *CUSTOMER_WRITE,
            "customers.view_contact_details",
            "customers.export_customer",
            "customers.transfer_customer",
            "customers.manage_tag",
            *SALES_READ,
            *SALES_WRITE,
            *SALES_MANAGE,
            *TASKS,
            *MEETINGS,
            *QUOTES,
            *LEADS,
            "leads.manage_assignmentrule",
            *POOL_REP,
            "pool.assign_pool",
            *DEALS,
            "deals.manage_pipeline",
            *CONTRACTS_MANAGER,
            *REPORTS,
            *ANALYTICS,
        ],
    },
    {
        "code": "sales",
        "name": _("Sales rep"),
        "data_scope": "own",
        "permissions": [
            *CUSTOMER_READ,
            *CUSTOMER_WRITE,
            "customers.view_contact_details",
            *SALES_READ,
            *SALES_WRITE,
            *TASKS,
            *MEETINGS,
            *QUOTES,
            *LEADS,
            *POOL_REP,
            *DEALS,
            *CONTRACTS_REP,
            *REPORTS,
            *ANALYTICS,
        ],
    },
    {
        "code": "service",
        "name": _("Customer service"),
        "data_scope": "all",
        "permissions": [
            *CUSTOMER_READ,
            "customers.add_interaction",
            *SALES_READ,
            *TASKS,
            *MEETINGS,
            "sales.view_quote",
            "leads.view_lead",
            "leads.add_lead",
            "deals.view_opportunity",
            "contracts.view_contract",
            *ANALYTICS,
        ],
    },
]

# The names migration accounts/0002 stored for the built-in roles (the company's
# first language). A built-in role whose stored name is still one of its default
# names shows the translated label; once an admin renames it, the new name shows.
BUILTIN_ROLE_STORED_NAMES: dict[str, str] = {
    "admin": "管理员",
    "manager": "销售经理",
    "sales": "销售",
    "service": "客服",
}


def builtin_role_label(code: str, stored_name: str) -> str | None:
    """The translated label of a built-in role not renamed since install, else None."""
    for spec in BUILTIN_ROLES:
        if spec["code"] != code:
            continue
        with translation.override(None):
            msgid = str(spec["name"])
        chinese = BUILTIN_ROLE_STORED_NAMES.get(code)
        if stored_name not in {chinese, msgid}:
            return None
        # The Chinese defaults are the zh-Hans labels, whatever the catalogue holds.
        if chinese and (translation.get_language() or "").lower().startswith("zh"):
            return chinese
        return str(spec["name"])
    return None
