from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from guanxi.customers.services import register_merge_handler, rows_mover
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.notifications.kinds import register_notification_kind
        from guanxi.platform.recycle_bin import register_recycle_bin_type
        from guanxi.platform.scoping import register_scope
        from guanxi.sales import permissions
        from guanxi.sales.models import Order, Product, Quote
        from guanxi.sales.services import order_restore, product_restore, quote_restore
        from guanxi.sales.services.quotes import NOTIFY_EXPIRED, NOTIFY_EXPIRED_LABEL
        from guanxi.sales.timeline_sources import order_events, quote_events

        permissions.register()
        register_notification_kind(NOTIFY_EXPIRED, NOTIFY_EXPIRED_LABEL)
        # Orders are seen by whoever sees their customer (owner/team of the customer).
        register_scope(
            Order,
            owner_path="customer__owner",
            team_path="customer__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        # Quotes likewise follow their customer.
        register_scope(
            Quote,
            owner_path="customer__owner",
            team_path="customer__team",
            deleted_paths=("deleted_at", "customer__deleted_at"),
        )
        # Products are a shared catalogue: reads check the permission only
        # (selectors.product_list); this spec only serves the recycle bin.
        register_scope(
            Product,
            owner_path="created_by",
            team_path="created_by__team",
            deleted_paths=("deleted_at",),
        )
        register_recycle_bin_type(model=Order, label=_("Orders"), restore=order_restore)
        register_recycle_bin_type(model=Quote, label=_("Quotes"), restore=quote_restore)
        register_recycle_bin_type(model=Product, label=_("Products"), restore=product_restore)
        register_timeline_source("sales.orders", order_events)
        register_timeline_source("sales.quotes", quote_events)
        register_merge_handler(rows_mover(Order, touch_updated_at=True), name="sales.order")
        register_merge_handler(rows_mover(Quote, touch_updated_at=True), name="sales.quote")
