from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

MANAGE_PRICE_LISTS = "sales.manage_pricelist"
EXPORT_ORDERS = "sales.export_order"

PRODUCT_READ = ["sales.view_product"]
PRODUCT_WRITE = ["sales.add_product", "sales.change_product", "sales.delete_product"]
ORDER_READ = ["sales.view_order"]
ORDER_WRITE = ["sales.add_order", "sales.change_order", "sales.delete_order"]
QUOTE_READ = ["sales.view_quote"]
QUOTE_WRITE = ["sales.add_quote", "sales.change_quote", "sales.delete_quote"]
# What the built-in roles get for quotes (migration 0004 grants them to existing
# roles; accounts/builtin_roles.py should list them for new installations).
QUOTE_BUILTIN_GRANTS: dict[str, list[str]] = {
    "manager": [*QUOTE_READ, *QUOTE_WRITE],
    "sales": [*QUOTE_READ, *QUOTE_WRITE],
    "service": QUOTE_READ,
}


def register() -> None:
    register_permissions(
        _("Sales"),
        {
            "sales.view_product": _("View products"),
            "sales.add_product": _("Create products"),
            "sales.change_product": _("Edit products"),
            "sales.delete_product": _("Delete and restore products"),
            MANAGE_PRICE_LISTS: _("Manage price lists"),
            "sales.view_order": _("View orders"),
            "sales.add_order": _("Create orders"),
            "sales.change_order": _("Edit orders"),
            "sales.delete_order": _("Delete and restore orders"),
            EXPORT_ORDERS: _("Export orders"),
            "sales.view_quote": _("View quotes"),
            "sales.add_quote": _("Create quotes"),
            "sales.change_quote": _("Edit, send and convert quotes"),
            "sales.delete_quote": _("Delete and restore quotes"),
        },
    )
