"""Pool reads.

Who sees which pool (docs/pool.md): the pool is every live, unowned record; a user
with `pool.view_pool` sees the part of it that belongs to their *pool team*:
the nearest team, their own or an ancestor, that has a `PoolRule` (so a rule on
the sales department makes one pool for all its groups), or their own team when
no team above them has a rule. They see the records of that team and its
sub-teams, plus records of no team at all (the company-wide pool). Users whose
role's data scope is "all" see the whole pool.

Unowned customers are outside a rep's customer scope ("own"), so these reads
start from the Customer and Lead tables with this condition instead of
customers.selectors (STYLE rule 20 is bent here on purpose: the pool is exactly
the records the owner scope leaves out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.accounts.models import Team
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead, LeadStatus
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import DataScope, data_scope_of, people_scope
from guanxi.platform.search import search_filter
from guanxi.pool.models import PoolEvent, PoolRule
from guanxi.pool.permissions import ASSIGN_POOL, VIEW_POOL

POOL_SORTS: dict[str, list[str]] = {"-id": ["-id"], "id": ["id"]}
MAX_ID = 2**63 - 1


@dataclass
class PoolFilter:
    q: str = ""
    province: str = ""
    source: str = ""
    industry: str = ""  # customers only
    min_days_in_pool: int | None = None


# --- rules ---------------------------------------------------------------------------


def _ancestor_ids(team: Team) -> list[int]:
    """The team and its ancestors, nearest first (from the materialised path)."""
    return [int(part) for part in reversed(team.path.strip("/").split("/")) if part]


def rule_for_team(team: Team | None) -> PoolRule | None:
    """The rule of the team or of its nearest ancestor with one."""
    if team is None:
        return None
    ids = _ancestor_ids(team)
    rules = {rule.team_id: rule for rule in PoolRule.objects.filter(team_id__in=ids)}
    for team_id in ids:
        if team_id in rules:
            return rules[team_id]
    return None


def rule_for_user(user: Any) -> PoolRule | None:
    return rule_for_team(getattr(user, "team", None))


def pool_team_of(user: Any) -> Team | None:
    """The team whose pool the user works in (see the module docstring)."""
    team = getattr(user, "team", None)
    rule = rule_for_team(team)
    return rule.team if rule is not None else team


def rules_by_team() -> dict[int, PoolRule]:
    return {rule.team_id: rule for rule in PoolRule.objects.select_related("team")}


def pool_rule_list(*, actor: Any) -> QuerySet[PoolRule]:
    from guanxi.pool.permissions import MANAGE_POOL_RULES

    if not has_permission(actor, MANAGE_POOL_RULES):
        return PoolRule.objects.none()
    return PoolRule.objects.select_related("team").order_by("team__path")


# --- visibility ----------------------------------------------------------------------


def _may_view(actor: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return has_permission(actor, VIEW_POOL)


def pool_condition(actor: Any) -> Q | None:
    """The team condition of the actor's pool on a Customer/Lead; None: the whole pool."""
    if data_scope_of(actor) == DataScope.ALL:
        return None
    team = pool_team_of(actor)
    condition = Q(team__isnull=True)
    if team is not None:
        condition |= Q(team__path__startswith=team.path)
    return condition


def _in_pool_since() -> Any:
    return Coalesce(F("pool_state__entered_pool_at"), F("created_at"))


def pool_customer_list(*, actor: Any, filters: PoolFilter | None = None) -> QuerySet[Customer]:
    """Unowned live customers in the actor's pool, with `in_pool_since`."""
    filters = filters or PoolFilter()
    if not _may_view(actor):
        return Customer.objects.none()
    qs = Customer.objects.filter(owner__isnull=True, deleted_at__isnull=True)
    condition = pool_condition(actor)
    if condition is not None:
        qs = qs.filter(condition)
    if filters.q.strip():
        qs = search_filter(qs, filters.q.strip())
    if filters.province:
        qs = qs.filter(province=filters.province)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    qs = qs.annotate(in_pool_since=_in_pool_since())
    if filters.min_days_in_pool:
        cutoff = timezone.now() - dt.timedelta(days=filters.min_days_in_pool)
        qs = qs.filter(in_pool_since__lte=cutoff)
    return qs.select_related("team")


def pool_lead_list(*, actor: Any, filters: PoolFilter | None = None) -> QuerySet[Lead]:
    """Unowned live leads (not converted) in the actor's pool, with `in_pool_since`."""
    filters = filters or PoolFilter()
    if not _may_view(actor):
        return Lead.objects.none()
    qs = Lead.objects.filter(owner__isnull=True, deleted_at__isnull=True).exclude(
        status=LeadStatus.CONVERTED
    )
    condition = pool_condition(actor)
    if condition is not None:
        qs = qs.filter(condition)
    query = filters.q.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query) | Q(company__icontains=query) | Q(mobile__contains=query)
        )
    if filters.province:
        qs = qs.filter(province=filters.province)
    if filters.source:
        qs = qs.filter(source=filters.source)
    qs = qs.annotate(in_pool_since=_in_pool_since())
    if filters.min_days_in_pool:
        cutoff = timezone.now() - dt.timedelta(days=filters.min_days_in_pool)
        qs = qs.filter(in_pool_since__lte=cutoff)
    return qs.select_related("team")


def _pk(value: Any) -> int:
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError) as error:
        raise NotFound("pool") from error
    if not 0 < pk <= MAX_ID:
        raise NotFound("pool")
    return pk


def pool_customer_get(*, actor: Any, customer_id: Any) -> Customer:
    customer = pool_customer_list(actor=actor).filter(pk=_pk(customer_id)).first()
    if customer is None:
        raise NotFound("customer")
    return customer


def pool_lead_get(*, actor: Any, lead_id: Any) -> Lead:
    lead = pool_lead_list(actor=actor).filter(pk=_pk(lead_id)).first()
    if lead is None:
        raise NotFound("lead")
    return lead


# --- held counts -----------------------------------------------------------------------


@dataclass
class Holding:
    customers: int
    leads: int
    max_customers: int | None
    max_leads: int | None

    @property
    def is_customer_limit_reached(self) -> bool:
        return self.max_customers is not None and self.customers >= self.max_customers

    @property
    def is_lead_limit_reached(self) -> bool:
        return self.max_leads is not None and self.leads >= self.max_leads


def held_customer_count(user: Any) -> int:
    return Customer.objects.filter(owner_id=user.pk, deleted_at__isnull=True).count()


def held_lead_count(user: Any) -> int:
    return (
        Lead.objects.filter(owner_id=user.pk, deleted_at__isnull=True)
        .exclude(status=LeadStatus.CONVERTED)
        .count()
    )


def holding_of(user: Any) -> Holding:
    """What the user holds and their limits (the badge on the pool page)."""
    rule = rule_for_user(user)
    return Holding(
        customers=held_customer_count(user),
        leads=held_lead_count(user),
        max_customers=rule.max_customers if rule else None,
        max_leads=rule.max_leads if rule else None,
    )


# --- history -------------------------------------------------------------------------


def _event_condition(actor: Any) -> Q | None:
    """Events in the actor's pool teams, of the actor's own team tree (managers), or
    about the actor (as owner or as the one who acted); None: all events."""
    if data_scope_of(actor) == DataScope.ALL:
        return None
    condition = Q(team__isnull=True) | Q(owner_id=actor.pk) | Q(actor_id=actor.pk)
    team = pool_team_of(actor)
    if team is not None:
        condition |= Q(team__path__startswith=team.path)
    own_team = getattr(actor, "team", None)
    if own_team is not None and data_scope_of(actor) == DataScope.SUBTREE:
        condition |= Q(team__path__startswith=own_team.path)
    return condition


def pool_event_list(
    *,
    actor: Any,
    kind: str = "",
    customer_id: int | None = None,
    lead_id: int | None = None,
) -> QuerySet[PoolEvent]:
    """Pool history the actor may see: events in their pool's teams, or about them."""
    if not _may_view(actor):
        return PoolEvent.objects.none()
    qs = PoolEvent.objects.all()
    condition = _event_condition(actor)
    if condition is not None:
        qs = qs.filter(condition)
    if kind:
        qs = qs.filter(kind=kind)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if lead_id:
        qs = qs.filter(lead_id=lead_id)
    return qs.select_related("customer", "lead", "owner", "actor", "rule__team")


def record_events(*, actor: Any, customer: Any = None, lead: Any = None, limit: int = 10) -> list:
    """The newest pool events of one record the caller already may see (360 panel)."""
    qs = PoolEvent.objects.select_related("owner", "actor", "rule__team")
    if customer is not None:
        qs = qs.filter(customer_id=customer.pk)
    elif lead is not None:
        qs = qs.filter(lead_id=lead.pk)
    else:
        return []
    return list(qs.order_by("-created_at", "-id")[:limit])


def can_assign(actor: Any) -> bool:
    return has_permission(actor, ASSIGN_POOL)


def assignee_choices(*, actor: Any) -> list[Any]:
    """Active users a manager may hand pool records to: their data scope's people."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(people_scope(actor), is_active=True)
    return list(users.select_related("team").order_by("display_name", "username")[:500])


def pool_counts(*, actor: Any) -> dict[str, int]:
    """How many customers and leads are in the actor's pool (the tab badges)."""
    return {
        "customers": pool_customer_list(actor=actor).count(),
        "leads": pool_lead_list(actor=actor).count(),
    }


def pool_due_list(*, actor: Any, kind: str = "customer") -> QuerySet:
    """The actor's records warned this cycle (not followed up since): due back soon."""
    if not _may_view(actor):
        return Customer.objects.none()
    if kind == "lead":
        qs: QuerySet = Lead.objects.filter(owner_id=actor.pk, deleted_at__isnull=True).annotate(
            held=Coalesce(F("pool_state__held_since"), F("assigned_at"), F("created_at"))
        )
        follow_field = "last_followed_at"
    else:
        qs = Customer.objects.filter(owner_id=actor.pk, deleted_at__isnull=True).annotate(
            held=Coalesce(F("pool_state__held_since"), F("created_at"))
        )
        follow_field = "last_interaction_at"
    return qs.filter(
        Q(pool_state__warned_at__isnull=False),
        Q(pool_state__warned_at__gte=F("held")),
        Q(**{f"{follow_field}__isnull": True})
        | Q(**{f"{follow_field}__lt": F("pool_state__warned_at")}),
    ).annotate(warned_at=F("pool_state__warned_at"))
