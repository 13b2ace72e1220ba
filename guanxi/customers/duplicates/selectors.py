"""Reading pairs: open pairs whose two records the actor can both see, and the
actor's recent merges (what the duplicates page lists)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import (
    Contact,
    ContactDuplicatePair,
    ContactMerge,
    Customer,
    CustomerMerge,
    DuplicatePair,
    DuplicatePairStatus,
    Interaction,
)
from guanxi.platform.exceptions import NotFound
from guanxi.platform.scoping import may_act, scope_condition, scope_spec

PAIR_NOT_FOUND = _("This duplicate pair does not exist or you cannot see it.")
CONTACT_PAIR_NOT_FOUND = _("This duplicate contact pair does not exist or you cannot see it.")

PairT = TypeVar("PairT", DuplicatePair, ContactDuplicatePair)
MergeT = TypeVar("MergeT", CustomerMerge, ContactMerge)


def _both_in_scope(
    qs: QuerySet[Any],
    actor: Any,
    model: type[models.Model],
    sides: tuple[str, str],
    action: str = "view",
) -> QuerySet[Any]:
    """Pairs whose two records are both in the actor's scope for `action`.

    The scope is `scoped()`'s own condition (`may_act`, deleted paths and
    `scope_condition`), re-rooted onto each side of the pair, so the database joins
    the two records instead of materialising the actor's whole scope as an
    `IN (subquery)` per page (seconds at a million customers).
    """
    if actor is None:
        return qs
    if not may_act(actor, model, action):
        return qs.none()
    spec = scope_spec(model)
    condition = scope_condition(model, actor)
    for side in sides:
        qs = qs.filter(**{f"{side}__{path}__isnull": True for path in spec.deleted_paths})
        if condition is not None:
            qs = qs.filter(_reroot(condition, f"{side}__"))
    return qs


def _reroot(condition: Q, prefix: str) -> Q:
    children = [
        _reroot(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def _scope_pairs(
    qs: QuerySet[DuplicatePair], actor: Any, action: str = "view"
) -> QuerySet[DuplicatePair]:
    return _both_in_scope(qs, actor, Customer, ("customer_a", "customer_b"), action)


def _scope_contact_pairs(
    qs: QuerySet[ContactDuplicatePair], actor: Any, action: str = "view"
) -> QuerySet[ContactDuplicatePair]:
    return _both_in_scope(qs, actor, Contact, ("contact_a", "contact_b"), action)


def _open_pair_get(
    scoped_open: QuerySet[PairT], pair_id: Any, not_found: Any, related: tuple[str, ...]
) -> PairT:
    """The pair `pair_id` among `scoped_open` (already scoped); NotFound otherwise."""
    try:
        pk = int(pair_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(not_found)) from error
    pair = scoped_open.filter(pk=pk).select_related(*related).first()
    if pair is None:
        raise NotFound(str(not_found))
    return pair


def _recent_merges(model: type[MergeT], actor: Any, limit: int) -> list[MergeT]:
    return list(
        model.objects.filter(actor_id=actor.pk, undone_at__isnull=True)
        .select_related("survivor", "other")
        .order_by("-id")[:limit]
    )


# --- customer pairs -----------------------------------------------------------------


def duplicate_pair_list(*, actor: Any) -> QuerySet[DuplicatePair]:
    """Open pairs whose two customers the actor can both see, best first."""
    qs = DuplicatePair.objects.filter(
        status=DuplicatePairStatus.OPEN,
        customer_a__deleted_at__isnull=True,
        customer_b__deleted_at__isnull=True,
    )
    return (
        _scope_pairs(qs, actor)
        .select_related("customer_a", "customer_b", "customer_a__owner", "customer_b__owner")
        .order_by("-score", "id")
    )


def duplicate_pair_get(*, actor: Any, pair_id: Any, action: str = "view") -> DuplicatePair:
    """One open pair with both customers in the actor's scope for `action`; else NotFound."""
    qs = _scope_pairs(DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor, action)
    return _open_pair_get(qs, pair_id, PAIR_NOT_FOUND, ("customer_a", "customer_b"))


def customer_merge_recent_list(*, actor: Any, limit: int = 10) -> list[CustomerMerge]:
    """The actor's own merges that can still be undone, newest first."""
    return _recent_merges(CustomerMerge, actor, limit)


def live_contact_count(customer: Customer) -> int:
    return Contact.objects.filter(customer=customer, deleted_at__isnull=True).count()


# --- contact pairs ------------------------------------------------------------------


def contact_pair_list(*, actor: Any) -> QuerySet[ContactDuplicatePair]:
    """Open contact pairs whose two contacts (and their customers) the actor can see."""
    qs = ContactDuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN)
    return (
        _scope_contact_pairs(qs, actor)
        .select_related("contact_a__customer", "contact_b__customer")
        .order_by("-score", "id")
    )


def contact_pair_get(*, actor: Any, pair_id: Any, action: str = "view") -> ContactDuplicatePair:
    """One open contact pair with both contacts in the actor's scope for `action`."""
    qs = _scope_contact_pairs(
        ContactDuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor, action
    )
    return _open_pair_get(
        qs, pair_id, CONTACT_PAIR_NOT_FOUND, ("contact_a__customer", "contact_b__customer")
    )


def contact_merge_recent_list(*, actor: Any, limit: int = 10) -> list[ContactMerge]:
    """The actor's own contact merges that can still be undone, newest first."""
    return _recent_merges(ContactMerge, actor, limit)


def live_interaction_count(contact: Contact) -> int:
    """Follow-ups naming this contact (what a contact merge moves), for the merge screen."""
    return Interaction.objects.filter(contact=contact, deleted_at__isnull=True).count()
