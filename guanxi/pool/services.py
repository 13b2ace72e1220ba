"""Pool writes: claim, release, assign, rules, and the nightly recycling run.

Claims are race-safe without a table lock: the owner is set by one conditional
UPDATE (`WHERE id = %s AND owner_id IS NULL`), which on PostgreSQL re-checks the
condition on the row a concurrent transaction just committed, and on SQLite runs in
an IMMEDIATE transaction (one writer). The per-rep limit is counted under a lock on
the claimer's (or assignee's) user row, so two claims by one rep cannot both pass
the count. Every write records a PoolEvent and an audit entry in the same
transaction.

The owner change is written here, on the customer and lead tables directly, not
through customers/leads services: those services check the caller's scope, and a
pool record is by definition outside a rep's scope until the claim succeeds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from guanxi.accounts.models import Team
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead, LeadStatus
from guanxi.notifications.services import notification_send
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import ApplicationError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import is_in_scope
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.pool import selectors
from guanxi.pool.models import (
    CustomerPoolState,
    LeadPoolState,
    PoolEvent,
    PoolEventKind,
    PoolRule,
    RecycleReason,
)
from guanxi.pool.permissions import ASSIGN_POOL, CLAIM_POOL, MANAGE_POOL_RULES

NOT_ALLOWED = _("You do not have permission to do this.")
ALREADY_CLAIMED = _("Already claimed by %(owner)s.")
NOT_IN_POOL = _("This record is not in the shared pool any more.")
OVER_CUSTOMER_LIMIT = _(
    "%(user)s already holds %(held)s customers; the limit is %(limit)s. Release some first."
)
OVER_LEAD_LIMIT = _(
    "%(user)s already holds %(held)s leads; the limit is %(limit)s. Release some first."
)
REASON_REQUIRED = _("Say why you release it.")
REASON_TOO_LONG = _("At most %(max)s characters.")
NOT_THE_OWNER = _("Only its owner or a manager can release this record.")
ONE_RECORD = _("Name one customer or one lead.")
UNKNOWN_ASSIGNEE = _("Choose an active user you manage.")
INVALID_INPUT = _("Please correct the errors below.")
INVALID_NUMBER = _("Enter a whole number from 0 to 100000, or leave it blank.")
RULE_EXISTS = _("This team already has a pool rule.")
UNKNOWN_TEAM = _("Choose a team.")
WARN_TOO_LONG = _("Warn fewer days before than the shortest recycling period.")
REASON_MAX_LENGTH = 300
MAX_RULE_NUMBER = 100_000
RECYCLE_CHUNK = 5_000
NOTIFY_NAMES = 10

RULE_FIELDS = [
    "max_customers",
    "max_leads",
    "recycle_without_follow_up_days",
    "recycle_without_deal_days",
    "warn_days_before",
]


class AlreadyClaimed(ApplicationError):
    status_code = 409
    code = "already_claimed"


class OverLimit(ApplicationError):
    status_code = 409
    code = "over_limit"


class NotInPool(ApplicationError):
    status_code = 409
    code = "not_in_pool"


def _require(actor: Any, code: str) -> None:
    if not has_permission(actor, code):
        raise PermissionDenied(str(NOT_ALLOWED))


def _one(customer: Any, lead: Any) -> tuple[str, Any]:
    if (customer is None) == (lead is None):
        raise ValidationError(str(ONE_RECORD), field_errors={"__all__": [str(ONE_RECORD)]})
    return ("customer", customer) if customer is not None else ("lead", lead)


@dataclass(frozen=True)
class _Kind:
    """What differs between customers and leads in the pool."""

    name: str  # "customer" / "lead"
    model: Any
    state_model: Any
    live: Callable[[], QuerySet]  # records that may be held/claimed at all

    def pool_get(self, actor: Any, pk: Any) -> Any:
        if self.name == "customer":
            return selectors.pool_customer_get(actor=actor, customer_id=pk)
        return selectors.pool_lead_get(actor=actor, lead_id=pk)

    def held_count(self, user: Any) -> int:
        if self.name == "customer":
            return selectors.held_customer_count(user)
        return selectors.held_lead_count(user)

    def limit_of(self, rule: PoolRule | None) -> int | None:
        if rule is None:
            return None
        return rule.max_customers if self.name == "customer" else rule.max_leads

    @property
    def over_limit_message(self) -> Any:
        return OVER_CUSTOMER_LIMIT if self.name == "customer" else OVER_LEAD_LIMIT


CUSTOMERS = _Kind(
    "customer",
    Customer,
    CustomerPoolState,
    lambda: Customer.objects.filter(deleted_at__isnull=True),
)
LEADS = _Kind(
    "lead",
    Lead,
    LeadPoolState,
    lambda: Lead.objects.filter(deleted_at__isnull=True).exclude(
        status__in=[LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED]
    ),
)


def _kind(name: str) -> _Kind:
    return CUSTOMERS if name == "customer" else LEADS


def _lock_user(user: Any) -> Any:
    """Serialise limit checks per user (SQLite: the IMMEDIATE transaction already does)."""
    return (
        get_user_model()
        .objects.select_for_update(of=("self",))
        .select_related("team")
        .get(pk=user.pk)
    )


def _check_limit(kind: _Kind, holder: Any) -> None:
    limit = kind.limit_of(selectors.rule_for_user(holder))
    if limit is None:
        return
    held = kind.held_count(holder)
    if held >= limit:
        raise OverLimit(
            str(kind.over_limit_message) % {"user": holder, "held": held, "limit": limit},
            extra={"held": held, "limit": limit},
        )


def _set_state(kind: _Kind, record_id: int, **values: Any) -> None:
    key = "customer_id" if kind.name == "customer" else "lead_id"
    kind.state_model.objects.update_or_create(**{key: record_id}, defaults=values)


def _event(pool_kind: _Kind, record: Any, **values: Any) -> PoolEvent:
    event = PoolEvent(**{pool_kind.name: record}, **values)
    event.full_clean()
    event.save()
    return event


def _take(kind: _Kind, record: Any, holder: Any) -> None:
    """Give the pool record to `holder` if it is still unowned; else AlreadyClaimed."""
    now = timezone.now()
    values: dict[str, Any] = {
        "owner": holder,
        "team": holder.team,
        "version": F("version") + 1,
        "updated_at": now,
    }
    if kind.name == "lead":
        values["assigned_at"] = now
    # Only conditions on the row itself: PostgreSQL re-evaluates them on the row a
    # concurrent claim committed (a join or IN-subquery would use the old snapshot).
    taken = kind.live().filter(pk=record.pk, owner__isnull=True).update(**values)
    if taken != 1:
        current = kind.model.objects.filter(pk=record.pk).select_related("owner").first()
        if current is None or current.deleted_at is not None or current.owner_id is None:
            raise NotInPool(str(NOT_IN_POOL))
        raise AlreadyClaimed(
            str(ALREADY_CLAIMED) % {"owner": current.owner},
            extra={"owner": current.owner_id, "owner_name": str(current.owner)},
        )
    _set_state(kind, record.pk, held_since=now, warned_at=None)
    record.refresh_from_db()


def _pool_record(kind: _Kind, actor: Any, record: Any) -> Any:
    """The record as the actor's pool shows it; a claimed one in their pool -> AlreadyClaimed."""
    try:
        return kind.pool_get(actor, record)
    except NotFound:
        pk = getattr(record, "pk", record)
        current = kind.model.objects.filter(pk=pk).select_related("owner").first()
        if current is not None and current.owner_id is not None and current.deleted_at is None:
            condition = selectors.pool_condition(actor)
            visible = kind.model.objects.filter(pk=current.pk)
            if condition is not None:
                visible = visible.filter(condition)
            if visible.exists() or current.owner_id == actor.pk:
                raise AlreadyClaimed(
                    str(ALREADY_CLAIMED) % {"owner": current.owner},
                    extra={"owner": current.owner_id, "owner_name": str(current.owner)},
                ) from None
        raise


@transaction.atomic
def pool_claim(*, actor: Any, customer: Any = None, lead: Any = None) -> PoolEvent:
    """The actor takes an unowned record of their pool.

    Exactly one of concurrent claims wins; the others get AlreadyClaimed ("already
    claimed by X", 409). Over the actor's limit: OverLimit (409). The record gets the
    actor as owner and the actor's team; its recycling clock starts now.
    """
    _require(actor, CLAIM_POOL)
    name, value = _one(customer, lead)
    kind = _kind(name)
    record = _pool_record(kind, actor, value)
    holder = _lock_user(actor)
    _check_limit(kind, holder)
    _take(kind, record, holder)
    event = _event(
        kind, record, kind=PoolEventKind.CLAIMED, owner=holder, actor=holder, team=holder.team
    )
    audit_record(
        actor=actor,
        action=f"pool.{kind.name}.claimed",
        instance=event,
        changes={kind.name: record.pk, "owner": [None, holder.pk]},
    )
    return event


@dataclass
class ClaimManyResult:
    claimed: list[int] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def pool_claim_many(*, actor: Any, customer_ids: list[Any] = (), lead_ids: list[Any] = ()) -> Any:
    """Claim several records, each in its own transaction; stops at the limit.

    Returns which were claimed and why the others were not (id -> message).
    """
    result = ClaimManyResult()
    pairs = [("customer", pk) for pk in customer_ids] + [("lead", pk) for pk in lead_ids]
    for name, pk in pairs[:200]:
        try:
            pool_claim(actor=actor, **{name: pk})
        except OverLimit as error:
            result.errors[pk] = error.message
            break
        except ApplicationError as error:
            result.errors[pk] = error.message
        else:
            result.claimed.append(pk)
    return result


def _clean_reason(reason: Any) -> str:
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationError(str(INVALID_INPUT), field_errors={"reason": [str(REASON_REQUIRED)]})
    if len(text) > REASON_MAX_LENGTH:
        message = str(REASON_TOO_LONG) % {"max": REASON_MAX_LENGTH}
        raise ValidationError(str(INVALID_INPUT), field_errors={"reason": [message]})
    return text


def _held_record(kind: _Kind, actor: Any, value: Any) -> Any:
    """A record the actor holds, or (managers) one in their scope; else NotFound."""
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError) as error:
        raise NotFound(kind.name) from error
    if not 0 < pk < 2**63:
        raise NotFound(kind.name)
    record = kind.model.objects.filter(pk=pk, deleted_at__isnull=True).first()
    if record is None:
        raise NotFound(kind.name)
    if record.owner_id == actor.pk:
        return record
    if has_permission(actor, ASSIGN_POOL) and is_in_scope(record, actor=actor, action="change"):
        return record
    if record.owner_id is None:
        raise NotInPool(str(NOT_IN_POOL))
    raise NotFound(kind.name)


@transaction.atomic
def pool_release(*, actor: Any, customer: Any = None, lead: Any = None, reason: str) -> PoolEvent:
    """The owner (or a manager with assign permission, in scope) puts the record back.

    The reason is required. The record keeps its team, so it returns to that team's
    pool; its owner is cleared and "days in pool" starts now.
    """
    if not (has_permission(actor, CLAIM_POOL) or has_permission(actor, ASSIGN_POOL)):
        raise PermissionDenied(str(NOT_ALLOWED))
    name, value = _one(customer, lead)
    kind = _kind(name)
    text = _clean_reason(reason)
    record = lock_current(_held_record(kind, actor, value))
    if record.owner_id is None:
        raise NotInPool(str(NOT_IN_POOL))
    previous_owner_id = record.owner_id
    now = timezone.now()
    kind.model.objects.filter(pk=record.pk).update(
        owner=None, version=F("version") + 1, updated_at=now
    )
    _set_state(kind, record.pk, held_since=None, entered_pool_at=now, warned_at=None)
    event = _event(
        kind,
        record,
        kind=PoolEventKind.RELEASED,
        owner_id=previous_owner_id,
        actor=actor,
        team_id=record.team_id,
        reason=text,
    )
    audit_record(
        actor=actor,
        action=f"pool.{kind.name}.released",
        instance=event,
        changes={kind.name: record.pk, "owner": [previous_owner_id, None], "reason": text},
    )
    return event


def _assignee(actor: Any, value: Any) -> Any:
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = 0
    allowed = {user.pk: user for user in selectors.assignee_choices(actor=actor)}
    if pk not in allowed:
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"assignee": [str(UNKNOWN_ASSIGNEE)]}
        )
    return allowed[pk]


@transaction.atomic
def pool_assign(
    *, actor: Any, assignee: Any, customer: Any = None, lead: Any = None, notify: bool = True
) -> PoolEvent:
    """A manager hands a record of their pool to a rep they manage (the rep's limit holds).

    Race-safe like a claim; the rep is told through a notification.
    """
    _require(actor, ASSIGN_POOL)
    name, value = _one(customer, lead)
    kind = _kind(name)
    user = _assignee(actor, assignee)
    record = _pool_record(kind, actor, value)
    holder = _lock_user(user)
    _check_limit(kind, holder)
    _take(kind, record, holder)
    event = _event(
        kind, record, kind=PoolEventKind.ASSIGNED, owner=holder, actor=actor, team=holder.team
    )
    audit_record(
        actor=actor,
        action=f"pool.{kind.name}.assigned",
        instance=event,
        changes={kind.name: record.pk, "owner": [None, holder.pk]},
    )
    if notify and holder.pk != actor.pk:
        url = (
            reverse("customers:customer_detail", args=[record.pk])
            if kind.name == "customer"
            else _lead_url(record.pk)
        )
        notification_send(
            recipient=holder,
            kind="pool.assigned",
            title=_("%(actor)s gave you “%(record)s” from the shared pool")
            % {"actor": actor, "record": record},
            url=url,
        )
    return event


def _lead_url(lead_id: int) -> str:
    return reverse("leads:lead_detail", args=[lead_id])


# --- rules -------------------------------------------------------------------------------


def _rule_number(value: Any, name: str, errors: dict[str, list[str]], *, blank: bool) -> Any:
    if value in (None, ""):
        if blank:
            return None
        errors.setdefault(name, []).append(str(INVALID_NUMBER))
        return 0
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_RULE_NUMBER:
        errors.setdefault(name, []).append(str(INVALID_NUMBER))
        return None
    return int(text)


def _apply_rule(rule: PoolRule, changes: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name not in RULE_FIELDS:
            errors.setdefault(name, []).append(str(_("Unknown field.")))
            continue
        number = _rule_number(value, name, errors, blank=name != "warn_days_before")
        if name not in errors:
            setattr(rule, name, number)
    periods = [
        days
        for days in (rule.recycle_without_follow_up_days, rule.recycle_without_deal_days)
        if days
    ]
    if periods and "warn_days_before" not in errors and rule.warn_days_before >= min(periods):
        errors.setdefault("warn_days_before", []).append(str(WARN_TOO_LONG))
    for name in ("recycle_without_follow_up_days", "recycle_without_deal_days"):
        if getattr(rule, name) == 0 and name not in errors:
            errors.setdefault(name, []).append(str(INVALID_NUMBER))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)


@transaction.atomic
def pool_rule_create(*, actor: Any, team: Any, **fields: Any) -> PoolRule:
    """A team's first rule (one per team)."""
    _require(actor, MANAGE_POOL_RULES)
    team_id = getattr(team, "pk", team)
    try:
        team_obj = Team.objects.filter(pk=int(team_id)).first()
    except (TypeError, ValueError):
        team_obj = None
    if team_obj is None:
        raise ValidationError(str(INVALID_INPUT), field_errors={"team": [str(UNKNOWN_TEAM)]})
    if PoolRule.objects.filter(team=team_obj).exists():
        raise ValidationError(str(INVALID_INPUT), field_errors={"team": [str(RULE_EXISTS)]})
    rule = PoolRule(team=team_obj)
    _apply_rule(rule, fields)
    rule.save()
    audit_record(
        actor=actor,
        action="pool.rule.created",
        instance=rule,
        changes={"after": snapshot(rule, ["team", *RULE_FIELDS])},
    )
    return rule


@transaction.atomic
def pool_rule_update(
    *, actor: Any, rule: PoolRule, expected_version: int | None, **changes: Any
) -> PoolRule:
    _require(actor, MANAGE_POOL_RULES)
    current = lock_current(rule)
    ensure_version(current, expected_version, compare_fields=RULE_FIELDS)
    before = snapshot(current, RULE_FIELDS)
    _apply_rule(current, changes)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="pool.rule.updated",
        instance=current,
        changes=diff(before, snapshot(current, RULE_FIELDS)),
    )
    return current


@transaction.atomic
def pool_rule_delete(*, actor: Any, rule: PoolRule) -> None:
    """Remove a team's rule: its members fall back to the nearest ancestor's rule."""
    _require(actor, MANAGE_POOL_RULES)
    current = lock_current(rule)
    audit_record(
        actor=actor,
        action="pool.rule.deleted",
        instance=current,
        changes={"before": snapshot(current, ["team", *RULE_FIELDS])},
    )
    current.delete()


# --- the nightly run ---------------------------------------------------------------------


@dataclass
class RecycleResult:
    recycled_customers: int = 0
    recycled_leads: int = 0
    warned_customers: int = 0
    warned_leads: int = 0
    notifications: int = 0
    rules: int = 0


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _teams_by_rule() -> dict[int, tuple[PoolRule, list[int]]]:
    """rule id -> (rule, the ids of the teams it governs: its own and sub-teams without one)."""
    rules = selectors.rules_by_team()
    governed: dict[int, tuple[PoolRule, list[int]]] = {}
    for team_id, path in Team.objects.values_list("pk", "path"):
        for ancestor in [int(part) for part in reversed(path.strip("/").split("/")) if part]:
            rule = rules.get(ancestor)
            if rule is not None:
                governed.setdefault(rule.pk, (rule, []))[1].append(team_id)
                break
    return governed


def _won_opportunities_since(cutoff: dt.datetime) -> Any:
    """Won opportunities of the customer since `cutoff`, when the deals app has them."""
    try:
        model = apps.get_model("deals", "Opportunity")
    except LookupError:
        return None
    return model.objects.filter(customer_id=OuterRef("pk"), status="won", won_at__gte=cutoff)


def _orders_since(day: dt.date) -> Any:
    from guanxi.sales.models import COUNTED_STATUSES, Order

    return Order.objects.filter(
        customer_id=OuterRef("pk"),
        order_date__gte=day,
        status__in=COUNTED_STATUSES,
        deleted_at__isnull=True,
    )


@dataclass(frozen=True)
class _Clocks:
    """Per-rule conditions on a customer/lead row: overdue for follow-up / for a deal."""

    follow_up: Q | None
    deal: Q | None

    @property
    def any(self) -> Q | None:
        parts = [part for part in (self.follow_up, self.deal) if part is not None]
        if not parts:
            return None
        condition = parts[0]
        for part in parts[1:]:
            condition |= part
        return condition


def _clocks(kind: _Kind, rule: PoolRule, today: dt.date, *, ahead: int) -> _Clocks:
    """Conditions for "overdue `ahead` days from today" (0: overdue now)."""
    follow_up = deal = None
    follow_field = "last_interaction_at" if kind.name == "customer" else "last_followed_at"
    if rule.recycle_without_follow_up_days:
        cutoff = _day_start(today - dt.timedelta(days=rule.recycle_without_follow_up_days - ahead))
        follow_up = Q(held__lt=cutoff) & (
            Q(**{f"{follow_field}__isnull": True}) | Q(**{f"{follow_field}__lt": cutoff})
        )
    if kind.name == "customer" and rule.recycle_without_deal_days:
        day = today - dt.timedelta(days=rule.recycle_without_deal_days - ahead)
        cutoff = _day_start(day)
        deal = Q(held__lt=cutoff) & ~Exists(_orders_since(day))
        won = _won_opportunities_since(cutoff)
        if won is not None:
            deal &= ~Exists(won)
    return _Clocks(follow_up, deal)


def _held_expression(kind: _Kind) -> Any:
    if kind.name == "customer":
        return Coalesce(F("pool_state__held_since"), F("created_at"))
    return Coalesce(F("pool_state__held_since"), F("assigned_at"), F("created_at"))


def _owned(kind: _Kind, team_ids: list[int]) -> QuerySet:
    return (
        kind.live()
        .filter(owner__isnull=False, owner__team_id__in=team_ids)
        .annotate(held=_held_expression(kind))
    )


def _id_ranges(kind: _Kind) -> list[tuple[int, int]]:
    bounds = kind.model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    return [
        (start, start + RECYCLE_CHUNK)
        for start in range(bounds["low"], bounds["high"] + 1, RECYCLE_CHUNK)
    ]


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json_object(pairs: list[tuple[str, str]]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs (SQLite / PostgreSQL)."""
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{function}(" + ", ".join(f"'{key}', {expression}" for key, expression in pairs) + ")"


def _json_array(expressions: list[str]) -> str:
    function = "jsonb_build_array" if connection.vendor == "postgresql" else "json_array"
    return f"{function}(" + ", ".join(expressions) + ")"


def _recycle_sql(
    kind: _Kind, rule: PoolRule, ids: list[int], reason: str, now: dt.datetime
) -> None:
    """Events and audit entries for `ids` (read from the rows before the owner is
    cleared), as INSERT … SELECT: no Python object per row."""
    record_table = _table(kind.model)
    event_table = _table(PoolEvent)
    placeholders = ", ".join(["%s"] * len(ids))
    at = connection.ops.adapt_datetimefield_value(now)
    record_column = f"{kind.name}_id"
    other_column = "lead_id" if kind.name == "customer" else "customer_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {event_table}")
        (last_id,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO {event_table} (kind, {record_column}, {other_column}, owner_id, "
            "actor_id, team_id, rule_id, recycle_reason, reason, created_at) "
            f"SELECT %s, id, NULL, owner_id, NULL, team_id, %s, %s, '', %s FROM {record_table} "
            f"WHERE id IN ({placeholders})",
            [PoolEventKind.RECYCLED.value, rule.pk, reason, at, *ids],
        )
        changes = _json_object(
            [
                (kind.name, f"e.{record_column}"),
                ("owner", _json_array(["e.owner_id", "NULL"])),
                ("rule", "e.rule_id"),
                ("reason", "e.recycle_reason"),
            ]
        )
        cursor.execute(
            f"INSERT INTO {_table(AuditEntry)} (actor_id, action, object_type, object_id, "
            "object_repr, changes, ip_address, user_agent, created_at) "
            f"SELECT NULL, %s, %s, CAST(e.id AS VARCHAR(64)), r.name, {changes}, NULL, '', %s "
            f"FROM {event_table} e JOIN {record_table} r ON r.id = e.{record_column} "
            f"WHERE e.id > %s AND e.{record_column} IN ({placeholders})",
            [f"pool.{kind.name}.recycled", "pool.poolevent", at, last_id, *ids],
        )


def _flag(condition: Q | None) -> Any:
    if condition is None:
        return Value(False, output_field=BooleanField())
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


@dataclass
class _ChunkOutcome:
    recycled: int = 0
    warned: list[tuple[int, int, str]] = field(default_factory=list)  # (id, owner, name)


def _recycle_chunk(
    kind: _Kind,
    rule: PoolRule,
    team_ids: list[int],
    clocks: _Clocks,
    warn_clocks: _Clocks | None,
    span: tuple[int, int],
    now: dt.datetime,
) -> _ChunkOutcome:
    """One id range of one rule: recycle what is overdue, warn (once per cycle) what
    will be within the warning period. One scan: the warning condition is a superset."""
    low, high = span
    follow_field = "last_interaction_at" if kind.name == "customer" else "last_followed_at"
    not_warned = (
        Q(pool_state__warned_at__isnull=True)
        | Q(pool_state__warned_at__lt=F("held"))
        | Q(**{f"{follow_field}__gt": F("pool_state__warned_at")})
    )
    scan = warn_clocks.any if warn_clocks is not None else clocks.any
    rows = list(
        _owned(kind, team_ids)
        .filter(pk__gte=low, pk__lt=high)
        .filter(scan)
        .annotate(
            is_no_follow_up=_flag(clocks.follow_up),
            is_no_deal=_flag(clocks.deal),
            needs_warning=_flag(not_warned if warn_clocks is not None else None),
        )
        .select_for_update(of=("self",))
        .values_list("pk", "owner_id", "name", "is_no_follow_up", "is_no_deal", "needs_warning")
    )
    outcome = _ChunkOutcome()
    if not rows:
        return outcome
    by_reason: dict[str, list[int]] = {
        RecycleReason.NO_FOLLOW_UP.value: [],
        RecycleReason.NO_DEAL.value: [],
    }
    for pk, owner_id, name, is_no_follow_up, is_no_deal, needs_warning in rows:
        if is_no_follow_up:
            by_reason[RecycleReason.NO_FOLLOW_UP.value].append(pk)
        elif is_no_deal:
            by_reason[RecycleReason.NO_DEAL.value].append(pk)
        elif needs_warning:
            outcome.warned.append((pk, owner_id, name))
    ids = [pk for chosen in by_reason.values() for pk in chosen]
    for reason, chosen in by_reason.items():
        if chosen:
            _recycle_sql(kind, rule, chosen, reason, now)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table(kind.model)} SET owner_id = NULL, version = version + 1, "
                f"updated_at = %s WHERE id IN ({', '.join(['%s'] * len(ids))})",
                [connection.ops.adapt_datetimefield_value(now), *ids],
            )
        _write_states(kind, ids, entered_pool_at=now)
    if outcome.warned:
        _write_states(kind, [pk for pk, _owner, _name in outcome.warned], warned_at=now)
    outcome.recycled = len(ids)
    return outcome


def _write_states(
    kind: _Kind,
    ids: list[int],
    *,
    entered_pool_at: dt.datetime | None = None,
    warned_at: dt.datetime | None = None,
) -> None:
    """Recycled: a fresh state (in the pool since now). Warned: set warned_at, keep the rest."""
    key = f"{kind.name}_id"
    state_table = _table(kind.state_model)
    placeholders = ", ".join(["%s"] * len(ids))
    if entered_pool_at is not None:
        at = connection.ops.adapt_datetimefield_value(entered_pool_at)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {state_table} WHERE {key} IN ({placeholders})", ids)
            cursor.execute(
                f"INSERT INTO {state_table} ({key}, held_since, entered_pool_at, warned_at) "
                f"SELECT id, NULL, %s, NULL FROM {_table(kind.model)} WHERE id IN ({placeholders})",
                [at, *ids],
            )
        return
    existing = set(
        kind.state_model.objects.filter(**{f"{key}__in": ids}).values_list(key, flat=True)
    )
    kind.state_model.objects.filter(**{f"{key}__in": list(existing)}).update(warned_at=warned_at)
    missing = [pk for pk in ids if pk not in existing]
    if missing:
        at = connection.ops.adapt_datetimefield_value(warned_at)
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {state_table} ({key}, held_since, entered_pool_at, warned_at) "
                f"SELECT id, NULL, NULL, %s FROM {_table(kind.model)} WHERE id IN ({marks})",
                [at, *missing],
            )


def _notify_owners(kind: _Kind, by_owner: dict[int, list], days: dict[int, int]) -> int:
    """One notification per owner and run (not one per record), naming the first few."""
    users = get_user_model().objects.in_bulk(list(by_owner))
    sent = 0
    for owner_id, records in by_owner.items():
        user = users.get(owner_id)
        if user is None:
            continue
        names = "、".join(name for _pk, name in records[:NOTIFY_NAMES])
        if len(records) > NOTIFY_NAMES:
            names += " …"
        if kind.name == "customer":
            title = ngettext_lazy(
                "%(count)s customer goes back to the shared pool within %(days)s days",
                "%(count)s customers go back to the shared pool within %(days)s days",
                len(records),
            )
        else:
            title = ngettext_lazy(
                "%(count)s lead goes back to the shared pool within %(days)s days",
                "%(count)s leads go back to the shared pool within %(days)s days",
                len(records),
            )
        notification_send(
            recipient=user,
            kind="pool.recycle_warning",
            title=_Formatted(title, {"count": len(records), "days": days.get(owner_id, 0)}),
            body=names,
            url=reverse("pool:pool_due") + f"?kind={kind.name}",
        )
        sent += 1
    return sent


class _Formatted:
    """A lazy translation with its values, rendered when str() is called (in the
    recipient's language, which notification_send switches to)."""

    def __init__(self, message: Any, values: dict[str, Any]) -> None:
        self.message = message
        self.values = values

    def __str__(self) -> str:
        return str(self.message) % self.values


def _relax_commit() -> None:
    """PostgreSQL: do not wait for the WAL flush at each chunk's commit. A crash can
    lose the last chunks, never corrupt them, and the next run redoes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def pool_recycle_run(
    *,
    today: dt.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> RecycleResult:
    """The nightly job: records overdue under their owner's team rule go back to the pool,
    then owners of records due within the warning period are told, once per cycle.

    Set-based: per rule and kind, one scan in id-range chunks reads the records due
    within the warning period with the rule's conditions in SQL (flags say which are
    overdue now); per chunk, INSERT … SELECT writes events and audit entries, one
    UPDATE clears the owners, the pool states are rewritten (each chunk its own
    transaction). A record is recycled at most once: afterwards it has no owner.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    result = RecycleResult()
    governed = _teams_by_rule()
    result.rules = len(governed)
    work: list[tuple[_Kind, PoolRule, list[int], _Clocks, _Clocks | None]] = []
    for rule, team_ids in governed.values():
        for kind in (CUSTOMERS, LEADS):
            clocks = _clocks(kind, rule, today, ahead=0)
            if clocks.any is None:
                continue
            warn_clocks = None
            if rule.warn_days_before:
                warn_clocks = _clocks(kind, rule, today, ahead=rule.warn_days_before)
            work.append((kind, rule, team_ids, clocks, warn_clocks))
    ranges = {kind.name: _id_ranges(kind) for kind in (CUSTOMERS, LEADS)}
    total = sum(len(ranges[item[0].name]) for item in work)
    done = 0
    warned: dict[str, dict[int, list]] = {"customer": defaultdict(list), "lead": defaultdict(list)}
    days: dict[str, dict[int, int]] = {"customer": {}, "lead": {}}
    for kind, rule, team_ids, clocks, warn_clocks in work:
        for span in ranges[kind.name]:
            with transaction.atomic():
                _relax_commit()
                outcome = _recycle_chunk(kind, rule, team_ids, clocks, warn_clocks, span, now)
            if kind.name == "customer":
                result.recycled_customers += outcome.recycled
                result.warned_customers += len(outcome.warned)
            else:
                result.recycled_leads += outcome.recycled
                result.warned_leads += len(outcome.warned)
            for pk, owner_id, name in outcome.warned:
                warned[kind.name][owner_id].append((pk, name))
                days[kind.name][owner_id] = rule.warn_days_before
            done += 1
            if progress is not None:
                progress(done, total, f"{kind.name}:{rule.team}")
    for kind in (CUSTOMERS, LEADS):
        with transaction.atomic():
            result.notifications += _notify_owners(kind, dict(warned[kind.name]), days[kind.name])
    return result
