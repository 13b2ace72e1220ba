"""The roles a new installation starts with (editable afterwards, more can be added)."""

from __future__ import annotations

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
        ],
    },
    {
        "code": "sales",
        "name": _("Sales rep"),
        "data_scope": "own",
        "permissions": [*CUSTOMER_READ, *CUSTOMER_WRITE, "customers.view_contact_details"],
    },
    {
        "code": "service",
        "name": _("Customer service"),
        "data_scope": "all",
        "permissions": [*CUSTOMER_READ, "customers.add_interaction"],
    },
]
