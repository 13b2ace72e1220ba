from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_CONTACT_DETAILS = "customers.view_contact_details"
EXPORT_CUSTOMERS = "customers.export_customer"
TRANSFER_CUSTOMERS = "customers.transfer_customer"
MANAGE_TAGS = "customers.manage_tag"
MANAGE_CUSTOM_FIELDS = "customers.manage_customfield"


def register() -> None:
    register_permissions(
        _("Customers"),
        {
            "customers.view_customer": _("View customers"),
            "customers.add_customer": _("Create customers"),
            "customers.change_customer": _("Edit customers"),
            "customers.delete_customer": _("Delete and restore customers"),
            TRANSFER_CUSTOMERS: _("Assign customers to other owners"),
            EXPORT_CUSTOMERS: _("Export customers"),
            VIEW_CONTACT_DETAILS: _("See full phone numbers and e-mail addresses"),
            "customers.view_contact": _("View contacts"),
            "customers.add_contact": _("Create contacts"),
            "customers.change_contact": _("Edit contacts"),
            "customers.delete_contact": _("Delete and restore contacts"),
            "customers.view_interaction": _("View follow-ups"),
            "customers.add_interaction": _("Record follow-ups"),
            "customers.change_interaction": _("Edit follow-ups"),
            "customers.delete_interaction": _("Delete follow-ups"),
            MANAGE_TAGS: _("Manage tags"),
            MANAGE_CUSTOM_FIELDS: _("Manage custom fields"),
        },
    )
