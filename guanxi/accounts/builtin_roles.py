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
        ],
    },
    {
        "code": "service",
        "name": _("Customer service"),
        "data_scope": "all",
        "permissions": [*CUSTOMER_READ, "customers.add_interaction", *SALES_READ, *TASKS],
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
