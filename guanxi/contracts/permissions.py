from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_CONTRACT = "contracts.view_contract"
ADD_CONTRACT = "contracts.add_contract"
CHANGE_CONTRACT = "contracts.change_contract"
DELETE_CONTRACT = "contracts.delete_contract"
APPROVE_CONTRACT = "contracts.approve_contract"
RECORD_PAYMENT = "contracts.record_payment"
MANAGE_SEQUENCE = "contracts.manage_sequence"

# What the built-in roles get (accounts/builtin_roles.py lists the same codes).
REP_CODES = [VIEW_CONTRACT, ADD_CONTRACT, CHANGE_CONTRACT, DELETE_CONTRACT, RECORD_PAYMENT]
MANAGER_CODES = [*REP_CODES, APPROVE_CONTRACT]
SERVICE_CODES = [VIEW_CONTRACT]


def register() -> None:
    register_permissions(
        _("Contracts"),
        {
            VIEW_CONTRACT: _("View contracts"),
            ADD_CONTRACT: _("Create contracts"),
            CHANGE_CONTRACT: _("Edit contracts, plans and files"),
            DELETE_CONTRACT: _("Delete and restore contracts"),
            APPROVE_CONTRACT: _("Approve or reject contracts"),
            RECORD_PAYMENT: _("Record payments received"),
            MANAGE_SEQUENCE: _("Set up contract numbering"),
        },
    )
