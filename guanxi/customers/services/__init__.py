"""Customer, contact, interaction, tag and custom field writes (STYLE.md rule 2)."""

from guanxi.customers.duplicates import (  # also registers the finder's job handler
    duplicate_pair_dismiss,
    duplicates_find,
    duplicates_find_start,
)
from guanxi.customers.services.bulk import BULK_ACTIONS, customer_bulk_action_start
from guanxi.customers.services.contacts import (
    contact_create,
    contact_delete,
    contact_restore,
    contact_update,
)
from guanxi.customers.services.customers import (
    customer_create,
    customer_create_many,
    customer_create_with_contact,
    customer_delete,
    customer_restore,
    customer_transfer,
    customer_update,
)
from guanxi.customers.services.interactions import (
    interaction_create,
    interaction_delete,
    interaction_follow_up_done,
    interaction_restore,
    interaction_update,
)
from guanxi.customers.services.merge import (
    customer_merge,
    customer_merge_get,
    customer_merge_undo,
    register_merge_handler,
    rows_mover,
)
from guanxi.customers.services.tags import (
    custom_field_create,
    custom_field_update,
    saved_view_create,
    saved_view_delete,
    tag_create,
    tag_delete,
    tag_group_create,
    tag_update,
)

__all__ = [
    "BULK_ACTIONS",
    "contact_create",
    "contact_delete",
    "contact_restore",
    "contact_update",
    "custom_field_create",
    "custom_field_update",
    "customer_bulk_action_start",
    "customer_create",
    "customer_create_many",
    "customer_create_with_contact",
    "customer_delete",
    "customer_merge",
    "customer_merge_get",
    "customer_merge_undo",
    "customer_restore",
    "customer_transfer",
    "customer_update",
    "duplicate_pair_dismiss",
    "duplicates_find",
    "duplicates_find_start",
    "interaction_create",
    "interaction_delete",
    "interaction_follow_up_done",
    "interaction_restore",
    "interaction_update",
    "register_merge_handler",
    "rows_mover",
    "saved_view_create",
    "saved_view_delete",
    "tag_create",
    "tag_delete",
    "tag_group_create",
    "tag_update",
]
