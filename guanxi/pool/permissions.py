from django.utils.translation import gettext_lazy as _

from guanxi.platform.permissions import register_permissions

VIEW_POOL = "pool.view_pool"
CLAIM_POOL = "pool.claim_pool"
ASSIGN_POOL = "pool.assign_pool"
MANAGE_POOL_RULES = "pool.manage_pool_rules"
POOL_ALL = [VIEW_POOL, CLAIM_POOL, ASSIGN_POOL, MANAGE_POOL_RULES]

# What the built-in roles get (mirrored in accounts.builtin_roles once the lead adds
# it there; migration 0002 grants these to existing installations either way).
# Reps claim and release; managers also hand pool records to reps; admins ("*")
# also edit the rules.
BUILTIN_GRANTS: dict[str, list[str]] = {
    "manager": [VIEW_POOL, CLAIM_POOL, ASSIGN_POOL],
    "sales": [VIEW_POOL, CLAIM_POOL],
}


def register() -> None:
    register_permissions(
        _("Shared pool"),
        {
            VIEW_POOL: _("View the shared pool"),
            CLAIM_POOL: _("Claim from and release to the shared pool"),
            ASSIGN_POOL: _("Assign pool records to reps"),
            MANAGE_POOL_RULES: _("Edit pool limits and recycling rules"),
        },
    )
