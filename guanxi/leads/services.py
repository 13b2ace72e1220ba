"""Lead writes (STYLE.md rule 2): create (with assignment rules), update, disqualify,
follow-ups, delete/restore, assignment rule settings, and conversion.

Every write checks the permission, validates everything before saving (one
ValidationError with all field errors, nothing written), bumps `version` and
writes one audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import CustomerKind
from guanxi.customers.selectors import customer_get
from guanxi.customers.services import contact_create, customer_create, interaction_create
from guanxi.customers.services._common import (
    INVALID_INPUT,
    clean_notes,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.leads.models import (
    EDITABLE_STATUSES,
    AssignmentMethod,
    AssignmentRule,
    AssignmentTarget,
    Lead,
    LeadActivity,
    LeadActivityKind,
    LeadSource,
    LeadStatus,
)
from guanxi.leads.permissions import (
    ADD_LEAD,
    CHANGE_LEAD,
    CONVERT_LEAD,
    DELETE_LEAD,
    MANAGE_ASSIGNMENT,
)
from guanxi.leads.selectors import may_manage_team
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.phones import INVALID_PHONE, InvalidPhone, normalize_phone
from guanxi.platform.scoping import covers_team
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current

LEAD_NOT_FOUND = _("This lead does not exist or you cannot see it.")
NAME_REQUIRED = _("Enter the person's name.")
UNKNOWN_OWNER = _("Choose an active user as the owner.")
UNKNOWN_TEAM = _("Unknown team.")
UNKNOWN_FIELD = _("Unknown field.")
CANNOT_ASSIGN_OTHERS = _("You may only take leads yourself or leave them in the pool.")
INVALID_EMAIL = _("“%(value)s” is not a valid e-mail address.")
REASON_REQUIRED = _("Give a reason for disqualifying the lead.")
STATUS_CONVERTED_ONLY_BY_CONVERSION = _("A lead becomes converted only by converting it.")
ALREADY_CONVERTED = _("This lead has already been converted; it can no longer be changed.")
CANNOT_CONVERT_DISQUALIFIED = _("Reopen a disqualified lead before converting it.")
CONTENT_REQUIRED = _("Write what happened.")
CUSTOMER_REQUIRED = _("Choose the customer to attach the lead to.")
UNKNOWN_CUSTOMER = _("Choose a customer you can edit.")
OPPORTUNITY_TITLE_REQUIRED = _("Enter a title for the opportunity.")
OPPORTUNITY_AMOUNT_INVALID = _("Enter an amount of 0 or more.")
OPPORTUNITY_CLOSE_REQUIRED = _("Enter the expected close date.")
OPPORTUNITIES_UNAVAILABLE = _("Opportunities are not available.")
UNKNOWN_MEMBER = _("Choose active users.")
UNKNOWN_KEY = _("Unknown source.")
TEAM_OUT_OF_SCOPE_LEAD = _("You may only file leads under your own teams.")
TEAM_OUT_OF_SCOPE = _("You may only set the rules of your own teams.")
DUPLICATE_KEY = _("Each province or source may appear only once.")

EDITABLE_FIELDS = [
    "name",
    "company",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat_id",
    "province",
    "city",
    "source",
    "status",
    "disqualify_reason",
    "owner",
    "team",
    "notes",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS, "assigned_at", "last_followed_at"]


NOTIFY_ASSIGNED = "leads.assigned"
NOTIFY_ASSIGNED_LABEL = pgettext_lazy("notification kind", "A lead was assigned to me")


def lead_snapshot(lead: Lead) -> dict[str, Any]:
    return snapshot(lead, AUDIT_FIELDS)


def _assigned_title(name: str, company: str) -> str:
    # Rendered in the recipient's language by notification_send (a lazy string).
    if company:
        return gettext("New lead for you: %(name)s · %(company)s") % {
            "name": name,
            "company": company,
        }
    return gettext("New lead for you: %(name)s") % {"name": name}


_lazy_assigned_title = lazy(_assigned_title, str)


def _notify_assigned(lead: Lead, actor: Any) -> None:
    """Tell a new owner about a lead someone else (or a rule) gave them."""
    if lead.owner_id is None or lead.owner_id == getattr(actor, "pk", None):
        return
    try:
        from guanxi.notifications.services import notification_send
    except ImportError:  # notifications not installed
        return
    notification_send(
        recipient=lead.owner,
        kind=NOTIFY_ASSIGNED,
        title=_lazy_assigned_title(lead.name, lead.company),
        body=lead.get_source_display(),
        url=reverse("leads:lead_detail", args=[lead.pk]),
    )


# --- validation -------------------------------------------------------------------------


def _resolve_owner(value: Any, errors: dict[str, list[str]]) -> Any:
    if value in (None, "", 0):
        return None
    user_model = get_user_model()
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = 0
    user = (
        user_model.objects.select_related("team").filter(pk=pk, is_active=True).first()
        if 0 < pk < 2**63
        else None
    )
    if user is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    return user


def _resolve_team(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import Team

    if value in (None, "", 0):
        return None
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = 0
    team = Team.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if team is None:
        errors.setdefault("team", []).append(str(UNKNOWN_TEAM))
    return team


def _may_give_to(actor: Any, owner: Any) -> bool:
    """Reps (data scope "own") may only take a lead themselves; managers give leads
    to anyone their scope covers."""
    if owner is None or actor is None or owner.pk == getattr(actor, "pk", None):
        return True
    return covers_team(actor, owner.team)


def _may_file_under(actor: Any, team: Any) -> bool:
    """A lead goes under the actor's own team or a team their data scope covers."""
    if actor is None or team.pk == getattr(actor, "team_id", None):
        return True
    return may_manage_team(actor, team)


def _clean_phone(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return normalize_phone(text)
    except InvalidPhone:
        errors.setdefault(field, []).append(str(INVALID_PHONE) % {"value": text[:50]})
        return text[:40]


def _clean_email(value: Any, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        if len(text) > 254:
            raise DjangoValidationError("too long")
        validate_email(text)
    except DjangoValidationError:
        errors.setdefault("email", []).append(str(INVALID_EMAIL) % {"value": text[:60]})
        return ""
    local, _sep, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _apply(lead: Lead, actor: Any, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(UNKNOWN_FIELD))
        elif name == "owner":
            owner = _resolve_owner(value, errors)
            if owner is not None and owner.pk != lead.owner_id and not _may_give_to(actor, owner):
                errors.setdefault("owner", []).append(str(CANNOT_ASSIGN_OTHERS))
            if (owner.pk if owner else None) != lead.owner_id:
                lead.assigned_at = timezone.now() if owner is not None else None
            lead.owner = owner
        elif name == "team":
            team = _resolve_team(value, errors)
            if team is not None and team.pk != lead.team_id and not _may_file_under(actor, team):
                errors.setdefault("team", []).append(str(TEAM_OUT_OF_SCOPE_LEAD))
            lead.team = team
        elif name in ("mobile", "phone"):
            setattr(lead, name, _clean_phone(value, name, errors))
        elif name == "email":
            lead.email = _clean_email(value, errors)
        elif name == "notes":
            lead.notes = clean_notes(value, errors)
        elif name == "status":
            status = str(value or LeadStatus.NEW)
            if status == LeadStatus.CONVERTED and lead.status != LeadStatus.CONVERTED:
                errors.setdefault("status", []).append(str(STATUS_CONVERTED_ONLY_BY_CONVERSION))
            lead.status = status
        elif name == "source" and value in (None, ""):
            lead.source = LeadSource.MANUAL
        else:
            setattr(lead, name, coerce_model_value(lead, name, value, errors))


def _finish(lead: Lead, errors: dict[str, list[str]]) -> None:
    if not lead.name and "name" not in errors:
        errors.setdefault("name", []).append(str(NAME_REQUIRED))
    if lead.status == LeadStatus.DISQUALIFIED:
        lead.disqualify_reason = (lead.disqualify_reason or "").strip()
        if not lead.disqualify_reason:
            errors.setdefault("disqualify_reason", []).append(str(REASON_REQUIRED))
    elif lead.status in EDITABLE_STATUSES:
        lead.disqualify_reason = ""
    # Phone and e-mail were checked above (they hold E.164 / normalised values);
    # owner and team by their resolvers.
    full_clean_into(
        lead,
        errors,
        exclude=["owner", "team", "created_by", "mobile", "phone", "email"],
    )


# --- assignment -------------------------------------------------------------------------


def _next_in_turn(rule: AssignmentRule, members: list[Any]) -> Any:
    """The member after `rule.last_assigned` in id order (wrapping round)."""
    if not members:
        return None
    last_id = rule.last_assigned_id or 0
    return next((member for member in members if member.pk > last_id), members[0])


def assignee_for(*, lead: Lead) -> Any:
    """Who the lead's team rule gives a new unowned lead to (None: it stays in the pool).

    Locks the rule row (select_for_update) so two concurrent creations advance the
    round-robin pointer one after the other. Call inside a transaction.
    """
    if lead.team_id is None:
        return None
    rule = (
        AssignmentRule.objects.select_for_update()
        .filter(team_id=lead.team_id, is_active=True)
        .first()
    )
    if rule is None:
        return None
    if rule.method in (AssignmentMethod.REGION, AssignmentMethod.SOURCE):
        key = lead.province if rule.method == AssignmentMethod.REGION else lead.source
        target = (
            AssignmentTarget.objects.select_related("member")
            .filter(rule=rule, key=key, member__is_active=True)
            .first()
            if key
            else None
        )
        if target is not None:
            return target.member
    members = list(rule.members.filter(is_active=True).order_by("id"))
    chosen = _next_in_turn(rule, members)
    if chosen is not None:
        rule.last_assigned = chosen
        rule.save(update_fields=["last_assigned", "updated_at"])
    return chosen


# --- lead services ----------------------------------------------------------------------


@transaction.atomic
def lead_create(*, actor: Any, name: str, **fields: Any) -> Lead:
    """Create a lead. Without an owner, the team's assignment rule picks one (or the
    lead stays in the team's pool). The team defaults to the owner's, else the actor's.
    """
    require_permission(actor, ADD_LEAD)
    errors: dict[str, list[str]] = {}
    actor_user = actor if getattr(actor, "pk", None) else None
    lead = Lead(created_by=actor_user)
    fields.setdefault("source", LeadSource.MANUAL)
    _apply(lead, actor, {"name": name, **fields}, errors)
    if lead.status == LeadStatus.CONVERTED:
        errors.setdefault("status", []).append(str(STATUS_CONVERTED_ONLY_BY_CONVERSION))
    if lead.team_id is None and "team" not in errors and not fields.get("team"):
        if lead.owner is not None:
            lead.team = lead.owner.team
        elif actor_user is not None:
            lead.team = getattr(actor_user, "team", None)
    _finish(lead, errors)
    if lead.owner is None:
        lead.owner = assignee_for(lead=lead)
        if lead.owner is not None:
            lead.assigned_at = timezone.now()
            # The owner's team leader must see it: a department rule handing leads
            # to members of its groups files each lead under the member's group.
            lead.team = lead.owner.team or lead.team
    lead.save()
    audit_record(
        actor=actor,
        action="leads.lead.created",
        instance=lead,
        changes={"after": lead_snapshot(lead)},
    )
    _notify_assigned(lead, actor)
    return lead


def _locked_live(lead: Lead) -> Lead:
    current = lock_current(lead)
    if current.deleted_at is not None:
        raise NotFound(str(LEAD_NOT_FOUND))
    return current


def _refuse_converted(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(str(ALREADY_CONVERTED), field_errors={"status": [ALREADY_CONVERTED]})


@transaction.atomic
def lead_update(*, actor: Any, lead: Lead, expected_version: int | None, **changes: Any) -> Lead:
    """Apply `changes` (the caller found `lead` through lead_get(action="change"));
    a stale version -> ConflictError; a converted lead is read-only."""
    require_permission(actor, CHANGE_LEAD)
    current = _locked_live(lead)
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    _refuse_converted(current)
    before = lead_snapshot(current)
    errors: dict[str, list[str]] = {}
    _apply(current, actor, changes, errors)
    _finish(current, errors)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="leads.lead.updated",
        instance=current,
        changes=diff(before, lead_snapshot(current)),
    )
    if current.owner_id != before["owner"]:
        _notify_assigned(current, actor)
    return current


@transaction.atomic
def lead_disqualify(
    *, actor: Any, lead: Lead, reason: str, expected_version: int | None = None
) -> Lead:
    """Mark the lead disqualified with a required reason."""
    if not str(reason or "").strip():
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"disqualify_reason": [REASON_REQUIRED]}
        )
    return lead_update(
        actor=actor,
        lead=lead,
        expected_version=expected_version,
        status=LeadStatus.DISQUALIFIED,
        disqualify_reason=reason,
    )


@transaction.atomic
def lead_activity_create(
    *,
    actor: Any,
    lead: Lead,
    kind: str,
    content: str,
    occurred_at: dt.datetime | str | None = None,
) -> LeadActivity:
    """Log a follow-up on the lead; a new lead becomes "contacted" and
    `last_followed_at` moves forward (the pool's recycling rules read it)."""
    require_permission(actor, CHANGE_LEAD)
    current = _locked_live(lead)
    _refuse_converted(current)
    errors: dict[str, list[str]] = {}
    activity = LeadActivity(
        lead=current,
        author=actor if getattr(actor, "pk", None) else None,
        kind=str(kind or ""),
        content=clean_notes(content, errors, field="content"),
    )
    if kind not in LeadActivityKind.values:
        errors.setdefault("kind", []).append(str(_("Choose a type.")))
    if not activity.content.strip() and "content" not in errors:
        errors.setdefault("content", []).append(str(CONTENT_REQUIRED))
    activity.occurred_at = coerce_model_value(activity, "occurred_at", occurred_at, errors)
    if activity.occurred_at in (None, ""):
        activity.occurred_at = timezone.now()
    full_clean_into(activity, errors, exclude=["lead", "author"])
    if timezone.is_naive(activity.occurred_at):
        activity.occurred_at = timezone.make_aware(activity.occurred_at)
    activity.save()
    fields = ["version", "updated_at"]
    if current.last_followed_at is None or activity.occurred_at > current.last_followed_at:
        current.last_followed_at = activity.occurred_at
        fields.append("last_followed_at")
    if current.status == LeadStatus.NEW:
        current.status = LeadStatus.CONTACTED
        fields.append("status")
    current.version += 1
    current.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="leads.lead.followed_up",
        instance=current,
        changes={"activity": activity.pk, "kind": activity.kind},
    )
    return activity


@transaction.atomic
def lead_delete(*, actor: Any, lead: Lead) -> Lead:
    require_permission(actor, DELETE_LEAD)
    current = lock_current(lead)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="leads.lead.deleted", instance=current)
    return current


@transaction.atomic
def lead_restore(*, actor: Any, instance: Lead) -> Lead:
    from guanxi.leads.selectors import lead_is_restorable

    if not lead_is_restorable(instance, actor=actor):
        raise NotFound(str(LEAD_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="leads.lead.restored", instance=current)
    return current


# --- assignment rule settings -----------------------------------------------------------


@transaction.atomic
def assignment_rule_save(
    *,
    actor: Any,
    team: Any,
    method: str,
    members: list[Any],
    targets: list[tuple[str, Any]] | None = None,
    is_active: bool = True,
    expected_version: int | None = None,
) -> AssignmentRule:
    """Create or replace the team's rule. `targets` are (province or source, member)
    pairs for region/source rules; `members` take the round-robin turns (and the
    leads no target matches)."""
    require_permission(actor, MANAGE_ASSIGNMENT)
    errors: dict[str, list[str]] = {}
    team_obj = _resolve_team(team, errors) if team not in (None, "") else None
    if team_obj is None and "team" not in errors:
        errors["team"] = [str(UNKNOWN_TEAM)]
    elif team_obj is not None and not may_manage_team(actor, team_obj):
        errors["team"] = [str(TEAM_OUT_OF_SCOPE)]
    if method not in AssignmentMethod.values:
        errors.setdefault("method", []).append(str(_("Choose a method.")))
    member_ids: list[int] = []
    for value in members or []:
        try:
            member_ids.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            errors.setdefault("members", []).append(str(UNKNOWN_MEMBER))
    user_model = get_user_model()
    member_objs = list(
        user_model.objects.filter(
            pk__in=[pk for pk in member_ids if 0 < pk < 2**63], is_active=True
        )
    )
    if len(member_objs) != len(set(member_ids)) and "members" not in errors:
        errors["members"] = [str(UNKNOWN_MEMBER)]
    cleaned_targets: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for key, member in targets or []:
        key = str(key or "").strip()[:50]
        if not key:
            continue
        if method == AssignmentMethod.SOURCE and key not in LeadSource.values:
            errors.setdefault("targets", []).append(str(UNKNOWN_KEY))
            continue
        if key in seen:
            errors.setdefault("targets", []).append(str(DUPLICATE_KEY))
            continue
        seen.add(key)
        owner = _resolve_owner(member, {})
        if owner is None:
            errors.setdefault("targets", []).append(str(UNKNOWN_MEMBER))
            continue
        cleaned_targets.append((key, owner))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    rule = AssignmentRule.objects.select_for_update().filter(team=team_obj).first()
    before: dict[str, Any] = {}
    if rule is None:
        rule = AssignmentRule(team=team_obj)
    else:
        ensure_version(rule, expected_version)
        before = _rule_snapshot(rule)
        rule.version += 1
    rule.method = method
    rule.is_active = bool(is_active)
    rule.save()
    rule.members.set(member_objs)
    rule.targets.all().delete()
    AssignmentTarget.objects.bulk_create(
        [AssignmentTarget(rule=rule, key=key, member=member) for key, member in cleaned_targets]
    )
    audit_record(
        actor=actor,
        action="leads.assignment_rule.saved",
        instance=rule,
        changes=diff(before, _rule_snapshot(rule)),
    )
    return rule


def _rule_snapshot(rule: AssignmentRule) -> dict[str, Any]:
    return {
        "method": rule.method,
        "is_active": rule.is_active,
        "members": sorted(rule.members.values_list("pk", flat=True)),
        "targets": sorted(rule.targets.values_list("key", "member_id")),
    }


# --- conversion -------------------------------------------------------------------------


@dataclass
class Conversion:
    lead: Lead
    customer: Any
    contact: Any
    opportunity: Any = None
    is_new_customer: bool = True


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    return ValidationError(
        error.message,
        field_errors={f"{prefix}.{key}": value for key, value in error.field_errors.items()},
    )


def _opportunity_input(
    title: str, amount: Any, close_on: Any, errors: dict[str, list[str]]
) -> tuple[str, Decimal, dt.date | None]:
    title = str(title or "").strip()
    if not title:
        errors.setdefault("opportunity.title", []).append(str(OPPORTUNITY_TITLE_REQUIRED))
    elif len(title) > 200:
        errors.setdefault("opportunity.title", []).append(
            str(_("At most %(max)s characters.")) % {"max": 200}
        )
    try:
        money = Decimal(str(amount if amount not in (None, "") else "0"))
        if not money.is_finite() or money < 0 or money >= Decimal("1e13"):
            raise ValueError
    except (ArithmeticError, ValueError):
        errors.setdefault("opportunity.amount", []).append(str(OPPORTUNITY_AMOUNT_INVALID))
        money = Decimal("0")
    day: dt.date | None = None
    if isinstance(close_on, dt.date):
        day = close_on
    elif close_on not in (None, ""):
        try:
            day = dt.date.fromisoformat(str(close_on).strip())
        except ValueError:
            errors.setdefault("opportunity.expected_close_on", []).append(
                str(_("Enter a date as YYYY-MM-DD."))
            )
    else:
        errors.setdefault("opportunity.expected_close_on", []).append(
            str(OPPORTUNITY_CLOSE_REQUIRED)
        )
    return title, money, day


@transaction.atomic
def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    expected_version: int | None = None,
    customer: Any = None,
    customer_name: str = "",
    create_opportunity: bool = False,
    opportunity_title: str = "",
    opportunity_amount: Any = None,
    opportunity_close_on: Any = None,
) -> Conversion:
    """Turn the lead into a customer (new, or the existing `customer` it is attached
    to), a contact, and optionally an opportunity, in one transaction.

    The lead's follow-ups are copied to the customer as interactions (by the
    original author, at the original time); audit entries are written on the lead
    and the customer; the lead becomes "converted" and read-only. Any error rolls
    everything back (field errors are prefixed "customer.", "contact.",
    "opportunity." when they come from those services).
    """
    require_permission(actor, CONVERT_LEAD)
    current = _locked_live(lead)
    ensure_version(current, expected_version, compare_fields=EDITABLE_FIELDS)
    _refuse_converted(current)
    if current.status == LeadStatus.DISQUALIFIED:
        raise ValidationError(
            str(CANNOT_CONVERT_DISQUALIFIED), field_errors={"status": [CANNOT_CONVERT_DISQUALIFIED]}
        )
    errors: dict[str, list[str]] = {}
    opportunity_args: tuple[str, Decimal, dt.date | None] | None = None
    if create_opportunity:
        opportunity_args = _opportunity_input(
            opportunity_title, opportunity_amount, opportunity_close_on, errors
        )
    target = None
    if customer not in (None, "", 0):
        try:
            target = customer_get(
                actor=actor, customer_id=getattr(customer, "pk", customer), action="change"
            )
        except (NotFound, OverflowError):
            errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)

    phones = [phone for phone in (current.mobile, current.phone) if phone]
    emails = [current.email] if current.email else []
    is_new_customer = target is None
    if target is None:
        name = str(customer_name or "").strip() or current.company or current.name
        try:
            target = customer_create(
                actor=actor,
                name=name,
                kind=CustomerKind.COMPANY if current.company else CustomerKind.INDIVIDUAL,
                owner=current.owner or actor,
                phones=phones if not current.company else [],
                emails=emails if not current.company else [],
                wechat_id=current.wechat_id if not current.company else "",
                province=current.province,
                city=current.city,
                source=str(current.get_source_display())[:100],
                notes=current.notes,
            )
        except ValidationError as error:
            raise _prefixed(error, "customer") from error
    try:
        contact = contact_create(
            actor=actor,
            customer=target,
            name=current.name,
            title=current.title,
            phones=phones,
            emails=emails,
            wechat_id=current.wechat_id,
            is_primary=is_new_customer,
        )
    except ValidationError as error:
        raise _prefixed(error, "contact") from error
    for activity in LeadActivity.objects.filter(lead=current).select_related("author"):
        author = activity.author if activity.author and activity.author.is_active else None
        interaction_create(
            actor=actor,
            customer=target,
            kind=activity.kind,
            content=activity.content,
            author=author,
            occurred_at=activity.occurred_at,
            contact=contact,
        )
    opportunity = None
    if opportunity_args is not None:
        try:
            from guanxi.deals.services import opportunity_create
        except ImportError as error:
            raise ValidationError(
                str(OPPORTUNITIES_UNAVAILABLE),
                field_errors={"opportunity": [str(OPPORTUNITIES_UNAVAILABLE)]},
            ) from error
        title, amount, close_on = opportunity_args
        try:
            opportunity = opportunity_create(
                actor=actor,
                customer=target,
                title=title,
                amount=amount,
                expected_close_on=close_on,
                owner=target.owner if is_new_customer else (current.owner or actor),
                contact=contact,
                lead=current,
            )
        except ValidationError as error:
            raise _prefixed(error, "opportunity") from error
    before = lead_snapshot(current)
    current.status = LeadStatus.CONVERTED
    current.converted_at = timezone.now()
    current.converted_customer = target
    current.converted_contact = contact
    current.converted_by = actor if getattr(actor, "pk", None) else None
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="leads.lead.converted",
        instance=current,
        changes={
            **diff(before, lead_snapshot(current)),
            "customer": target.pk,
            "contact": contact.pk,
            "opportunity": getattr(opportunity, "pk", None),
            "is_new_customer": is_new_customer,
        },
    )
    audit_record(
        actor=actor,
        action="customers.customer.lead_converted",
        instance=target,
        changes={"lead": current.pk, "contact": contact.pk, "is_new_customer": is_new_customer},
    )
    return Conversion(
        lead=current,
        customer=target,
        contact=contact,
        opportunity=opportunity,
        is_new_customer=is_new_customer,
    )
