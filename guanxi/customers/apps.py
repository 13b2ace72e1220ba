from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.customers import exports, permissions, timeline_sources  # noqa: F401
        from guanxi.customers.models import Contact, Customer, Interaction
        from guanxi.customers.services import (
            contact_restore,
            customer_restore,
            interaction_restore,
        )
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope
        from guanxi.platform.search import register_search

        permissions.register()
        register_scope(
            Customer, owner_path="owner", team_path="team", deleted_paths=("deleted_at",)
        )
        register_scope(
            Contact,
            owner_path="customer__owner",
            team_path="customer__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_scope(
            Interaction,
            owner_path="customer__owner",
            team_path="customer__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        register_search(Customer)
        register_search(Contact)
        register_recycle_bin_type(model=Customer, label=_("Customers"), restore=customer_restore)
        register_recycle_bin_type(model=Contact, label=_("Contacts"), restore=contact_restore)
        register_recycle_bin_type(
            model=Interaction, label=_("Follow-ups"), restore=interaction_restore
        )
        timeline_sources.register()
