"""Lead reads.

Who sees a lead (docs/leads.md): its owner, and whoever's data scope covers its
team (platform.scoping, registered on owner/team). For viewing only, unowned
leads in the pool are also visible to anyone with `leads.view_lead` whose own
team is the lead's team, and to everybody with that permission when the lead has
no team either (the company-wide pool). Changing, converting and deleting a lead
need the ordinary owner/team scope: a rep claims a pool lead first (pool app).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from guanxi.customers.duplicates.keys import company_core
from guanxi.customers.models import Contact, Customer
from guanxi.leads.models import AssignmentRule, Lead, LeadActivity
from guanxi.platform.exceptions import NotFound
from guanxi.platform.phones import national_digits
from guanxi.platform.scoping import (
    covers_team,
    is_own_scope,
    may_act,
    people_scope,
    scope_condition,
    scope_spec,
    scoped,
    team_scope,
)
from guanxi.platform.search import search_filter

LEAD_SORTS: dict[str, list[str]] = {
    "-id": ["-id"],
    "id": ["id"],
    "-updated": ["-updated_at", "-id"],
    "updated": ["updated_at", "id"],
}
OWNER_POOL = "pool"  # the owner filter value for unowned leads
MAX_DUPLICATE_CANDIDATES = 10


@dataclass
class LeadFilter:
    q: str = ""
    status: str = ""
    source: str = ""
    owner: int | str | None = None  # a user id, or OWNER_POOL
    team: int | None = None
    is_mine: bool = False


def _visible(actor: Any, *, action: str, include_deleted: bool) -> QuerySet[Lead]:
    qs = Lead.objects.all()
    if not may_act(actor, Lead, action):
        return qs.none()
    if not include_deleted:
        for path in scope_spec(Lead).deleted_paths:
            qs = qs.filter(**{f"{path}__isnull": True})
    condition = scope_condition(Lead, actor)
    if condition is None:
        return qs
    if action == "view":
        team_id = getattr(actor, "team_id", None)
        pool = Q(team__isnull=True) | Q(team_id=team_id) if team_id else Q(team__isnull=True)
        condition |= Q(owner__isnull=True) & pool
    return qs.filter(condition)


def lead_list(
    *,
    actor: Any,
    filters: LeadFilter | None = None,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[Lead]:
    filters = filters or LeadFilter()
    qs = _visible(actor, action=action, include_deleted=include_deleted)
    text = (filters.q or "").strip()
    if text:
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(company__icontains=text)
            | Q(mobile__contains=text)
            | Q(email__icontains=text)
            | Q(wechat_id__icontains=text)
        )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.owner == OWNER_POOL:
        qs = qs.filter(owner__isnull=True)
    elif filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.is_mine:
        qs = qs.filter(owner_id=actor.pk)
    return qs.select_related("owner", "team")


def _pk(value: Any) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError) as error:
        raise NotFound("lead") from error
    if not 0 < pk < 2**63:
        raise NotFound("lead")
    return pk


def lead_get(*, actor: Any, lead_id: Any, action: str = "view") -> Lead:
    """One live lead the actor may see (or change/delete/convert); anything else 404s."""
    pk = _pk(lead_id)
    lead = (
        lead_list(actor=actor, action=action)
        .filter(pk=pk)
        .select_related("created_by", "converted_customer", "converted_contact", "converted_by")
        .first()
    )
    if lead is None:
        raise NotFound("lead")
    return lead


def lead_get_deleted(*, actor: Any, lead_id: Any) -> Lead:
    """A lead in the recycle bin the actor may restore."""
    pk = _pk(lead_id)
    lead = (
        lead_list(actor=actor, action="delete", include_deleted=True)
        .filter(pk=pk, deleted_at__isnull=False)
        .first()
    )
    if lead is None:
        raise NotFound("lead")
    return lead


def lead_is_restorable(lead: Lead, *, actor: Any) -> bool:
    return lead_list(actor=actor, action="delete", include_deleted=True).filter(pk=lead.pk).exists()


def lead_can(actor: Any, lead: Lead, action: str) -> bool:
    """Whether the actor may `action` (change/delete/convert) this lead."""
    return lead_list(actor=actor, action=action).filter(pk=lead.pk).exists()


def lead_activity_list(*, lead: Lead, limit: int = 200) -> list[LeadActivity]:
    """The lead's follow-ups, newest first (the caller got `lead` through lead_get)."""
    return list(
        LeadActivity.objects.filter(lead_id=lead.pk)
        .select_related("author")
        .order_by("-occurred_at", "-id")[:limit]
    )


# --- duplicate check for conversion ---------------------------------------------------


@dataclass
class DuplicateCandidate:
    customer: Customer
    reasons: list[str] = field(default_factory=list)
    is_visible: bool = False  # in the actor's scope: may be picked to attach the lead to
    labels: list[str] = field(default_factory=list)  # reasons as words, set by the page


def _phones_of(lead: Lead) -> list[str]:
    return [phone for phone in (lead.mobile, lead.phone) if phone]


def duplicate_candidates(*, actor: Any, lead: Lead) -> list[DuplicateCandidate]:
    """Existing customers this lead may already be: same phone or e-mail (on the
    customer or one of its contacts), or the same company name without legal-form
    suffixes. Looked up over all live customers through the search index (tokens,
    then verified), because a duplicate owned by someone else still matters; only
    those in the actor's scope may be chosen (`is_visible`), the others show their
    name and owner so the rep can ask a colleague.
    """
    from guanxi.customers.duplicates.keys import SAME_COMPANY, SAME_EMAIL, SAME_PHONE

    found: dict[int, DuplicateCandidate] = {}

    def add(customer: Customer, reason: str) -> None:
        candidate = found.setdefault(customer.pk, DuplicateCandidate(customer=customer))
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)

    live_customers = Customer.objects.filter(deleted_at__isnull=True).select_related("owner")
    live_contacts = Contact.objects.filter(
        deleted_at__isnull=True, customer__deleted_at__isnull=True
    ).select_related("customer__owner")
    for phone in _phones_of(lead):
        digits = national_digits(phone)  # what the search tokens hold
        for customer in search_filter(live_customers, digits)[:50]:
            if phone in (customer.phones or []):
                add(customer, SAME_PHONE)
        for contact in search_filter(live_contacts, digits)[:50]:
            if phone in (contact.phones or []):
                add(contact.customer, SAME_PHONE)
    if lead.email:
        wanted = lead.email.lower()
        for customer in search_filter(live_customers, lead.email)[:50]:
            if wanted in [email.lower() for email in customer.emails or []]:
                add(customer, SAME_EMAIL)
        for contact in search_filter(live_contacts, lead.email)[:50]:
            if wanted in [email.lower() for email in contact.emails or []]:
                add(contact.customer, SAME_EMAIL)
    core = company_core(lead.company) if lead.company else ""
    if len(core) >= 2:
        for customer in search_filter(live_customers, core)[:50]:
            if company_core(customer.name) == core:
                add(customer, SAME_COMPANY)
    candidates = list(found.values())[:MAX_DUPLICATE_CANDIDATES]
    if candidates:
        visible = set(
            scoped(
                Customer.objects.filter(pk__in=[c.customer.pk for c in candidates]),
                actor=actor,
                action="change",
            ).values_list("pk", flat=True)
        )
        for candidate in candidates:
            candidate.is_visible = candidate.customer.pk in visible
    return candidates


# --- assignment rules and choices -------------------------------------------------------


def assignment_rule_list() -> QuerySet[AssignmentRule]:
    return AssignmentRule.objects.select_related("team", "last_assigned").prefetch_related(
        "members", "targets__member"
    )


def assignment_rule_for_team(team_id: int | None) -> AssignmentRule | None:
    if team_id is None:
        return None
    return assignment_rule_list().filter(team_id=team_id).first()


def owner_choices(*, actor: Any) -> list[Any]:
    """Who a lead can be given to: the actor only for reps with the "own" scope;
    for managers every active user their scope covers (all: everybody)."""
    users = get_user_model().objects.filter(people_scope(actor), is_active=True)
    return list(users.select_related("team").order_by("display_name", "username")[:500])


def may_manage_team(actor: Any, team: Any) -> bool:
    """Rules of a team are set by whoever's data scope covers it ("all": every team)."""
    return covers_team(actor, team)


def team_choices(*, actor: Any) -> list[Any] | None:
    """Teams the actor may file a lead under (None for reps: always their own team)."""
    from guanxi.accounts.models import Team

    if is_own_scope(actor):
        return None
    return list(Team.objects.filter(team_scope(actor)).order_by("path")[:500])
