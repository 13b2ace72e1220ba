"""Contract writes: create, edit, the approval and life-cycle steps, delete, restore.

Life cycle: draft → in_approval (owner submits) → approved (a user with
contracts.approve_contract; rejecting sends it back to draft with a comment) →
signed (signed date) → finished, or terminated (with a reason) from any status but
finished. Every step checks the status it starts from under a row lock, writes a
ContractApproval row where it is an approval step, bumps the version and audits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import (
    ApprovalAction,
    Contract,
    ContractApproval,
    ContractStatus,
)
from guanxi.contracts.permissions import (
    ADD_CONTRACT,
    APPROVE_CONTRACT,
    CHANGE_CONTRACT,
    DELETE_CONTRACT,
)
from guanxi.contracts.services.sequence import contract_number_next
from guanxi.customers.selectors import customer_get
from guanxi.customers.services._common import (
    INVALID_INPUT,
    clean_notes,
    coerce_date,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.scoping import is_restorable
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.sales.services._common import parse_decimal

CONTRACT_NOT_FOUND = _("This contract does not exist or you cannot see it.")
TITLE_REQUIRED = _("Enter a title.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_CONTACT = _("Choose a contact of this customer.")
UNKNOWN_OWNER = _("Choose an active user as the owner.")
UNKNOWN_OPPORTUNITY = _("Choose an opportunity of this customer that you can see.")
UNKNOWN_QUOTE = _("Choose a quote of this customer that you can see.")
INVALID_DATE = _("Enter a date as YYYY-MM-DD.")
DATE_REQUIRED = _("Enter a date.")
END_BEFORE_START = _("The end date cannot be before the start date.")
INVALID_CURRENCY = _("Enter a three-letter currency code such as CNY.")
INVALID_REMIND_DAYS = _("Enter a number of days from 0 to 365.")
AMOUNT_BELOW_PLAN = _("The amount cannot be less than the payment plan (%(planned)s).")
AMOUNT_BELOW_RECEIVED = _("The amount cannot be less than what was received (%(received)s).")
CLOSED_FIELD = _("A finished or terminated contract only takes notes.")
LOCKED_FIELD = _("This can only be changed while the contract is a draft.")
UNKNOWN_FIELD = _("Unknown field.")
ILLEGAL_TRANSITION = _("A contract that is “%(status)s” cannot be %(step)s.")
NOT_APPROVED = _("The contract must be approved before it is signed.")
COMMENT_REQUIRED = _("Say why it is rejected.")
REASON_REQUIRED = _("Say why the contract is terminated.")
ONLY_OWNER_SUBMITS = _("Only the contract's owner (or an approver) can submit it.")
SIGNED_IN_FUTURE = _("The signing date cannot be in the future.")
MAX_TEXT = 2000

CREATE_FIELDS = [
    "title",
    "customer",
    "contact",
    "owner",
    "amount",
    "currency",
    "start_on",
    "end_on",
    "remind_days_before_end",
    "notes",
    "opportunity",
    "quote",
]
DRAFT_ONLY_FIELDS = {"customer", "amount", "currency", "start_on"}
AUDIT_FIELDS = [
    "number",
    "title",
    "customer",
    "contact",
    "owner",
    "team",
    "amount",
    "currency",
    "start_on",
    "end_on",
    "signed_on",
    "status",
    "remind_days_before_end",
    "terminated_reason",
    "notes",
    "opportunity",
    "quote",
]
STEP_NAMES = {
    "submit": _("submitted for approval"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "sign": _("signed"),
    "finish": _("finished"),
    "terminate": _("terminated"),
}


def contract_snapshot(contract: Contract) -> dict[str, Any]:
    return snapshot(contract, AUDIT_FIELDS)


def _pk(value: Any) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def _user(value: Any, errors: dict[str, list[str]]) -> Any:
    from guanxi.accounts.models import User

    pk = _pk(value)
    user = User.objects.filter(pk=pk, is_active=True).select_related("team").first() if pk else None
    if user is None:
        errors.setdefault("owner", []).append(str(UNKNOWN_OWNER))
    return user


def _date(value: Any, field: str, errors: dict[str, list[str]], *, required: bool) -> Any:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(str(DATE_REQUIRED))
        return None
    try:
        return coerce_date(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(str(INVALID_DATE))
        return None


def _text(value: Any, field: str, errors: dict[str, list[str]], *, max_length: int) -> str:
    text = str(value or "").replace("\x00", "").strip()
    if len(text) > max_length:
        errors.setdefault(field, []).append(
            str(_("At most %(max)s characters.")) % {"max": max_length}
        )
    return text


def _link(actor: Any, name: str, value: Any, customer: Any, errors: dict[str, list[str]]) -> Any:
    """The opportunity or quote the contract comes from: in scope and of the same customer."""
    pk = _pk(value)
    if value in (None, "", 0):
        return None
    message = UNKNOWN_OPPORTUNITY if name == "opportunity" else UNKNOWN_QUOTE
    found = None
    if pk is not None:
        try:
            if name == "opportunity":
                from guanxi.deals.selectors import opportunity_get

                found = opportunity_get(actor=actor, opportunity_id=pk)
            else:
                from guanxi.sales.selectors import quote_get

                found = quote_get(actor=actor, quote_id=pk)
        except NotFound:
            found = None
    if found is None or (customer is not None and found.customer_id != customer.pk):
        errors.setdefault(name, []).append(str(message))
        return None
    return found


def _apply(
    contract: Contract, actor: Any, changes: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    if "customer" in changes:
        customer_pk = _pk(changes["customer"])
        try:
            contract.customer = customer_get(actor=actor, customer_id=customer_pk or 0)
        except NotFound:
            errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
    customer = contract.customer if contract.customer_id else None
    for name, value in changes.items():
        if name == "customer":
            continue
        if name not in CREATE_FIELDS:
            errors.setdefault(name, []).append(str(UNKNOWN_FIELD))
        elif name == "title":
            contract.title = _text(value, "title", errors, max_length=200)
            if not contract.title:
                errors.setdefault("title", []).append(str(TITLE_REQUIRED))
        elif name == "owner":
            owner = _user(value, errors)
            if owner is not None:
                contract.owner = owner
                contract.team = owner.team
        elif name == "contact":
            pk = _pk(value)
            contract.contact = None
            if value not in (None, "", 0):
                contact = (
                    customer.contacts.filter(pk=pk, deleted_at__isnull=True).first()
                    if customer is not None and pk
                    else None
                )
                if contact is None:
                    errors.setdefault("contact", []).append(str(UNKNOWN_CONTACT))
                contract.contact = contact
        elif name == "amount":
            amount = parse_decimal(value, errors, "amount")
            if amount is not None:
                contract.amount = amount
        elif name == "currency":
            code = str(value or "CNY").strip().upper()
            if len(code) != 3 or not code.isalpha() or not code.isascii():
                errors.setdefault("currency", []).append(str(INVALID_CURRENCY))
            else:
                contract.currency = code
        elif name in ("start_on", "end_on"):
            day = _date(value, name, errors, required=True)
            if day is not None:
                setattr(contract, name, day)
        elif name == "remind_days_before_end":
            days = value if isinstance(value, int) and not isinstance(value, bool) else None
            if days is None and isinstance(value, str) and value.strip().isdigit():
                days = int(value.strip())
            if value in (None, ""):
                days = 30
            if days is None or not 0 <= days <= 365:
                errors.setdefault(name, []).append(str(INVALID_REMIND_DAYS))
            else:
                if days != contract.remind_days_before_end:
                    contract.renewal_reminded_at = None
                contract.remind_days_before_end = days
        elif name == "notes":
            contract.notes = clean_notes(value, errors)
        elif name in ("opportunity", "quote") and _pk(value) != getattr(contract, f"{name}_id"):
            # (an unchanged link stays even if it left the actor's scope)
            setattr(contract, name, _link(actor, name, value, customer, errors))


def _check(contract: Contract, errors: dict[str, list[str]]) -> None:
    for name in ("title", "start_on", "end_on", "amount"):
        if getattr(contract, name, None) in (None, "") and name not in errors:
            message = TITLE_REQUIRED if name == "title" else DATE_REQUIRED
            if name == "amount":
                message = _("Enter a number.")
            errors.setdefault(name, []).append(str(message))
    if contract.start_on and contract.end_on and contract.end_on < contract.start_on:
        errors.setdefault("end_on", []).append(str(END_BEFORE_START))
    if contract.pk and contract.amount is not None and "amount" not in errors:
        if contract.amount < contract.planned_amount:
            errors.setdefault("amount", []).append(
                str(AMOUNT_BELOW_PLAN) % {"planned": contract.planned_amount}
            )
        if contract.amount < contract.received_amount:
            errors.setdefault("amount", []).append(
                str(AMOUNT_BELOW_RECEIVED) % {"received": contract.received_amount}
            )
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)


@transaction.atomic
def contract_create(
    *,
    actor: Any,
    customer: Any,
    title: str,
    amount: Any,
    start_on: Any,
    end_on: Any,
    owner: Any = None,
    **fields: Any,
) -> Contract:
    """A draft contract with the next number; owner defaults to the actor, team to the
    owner's. Nothing is written (and no number used) when anything is wrong."""
    require_permission(actor, ADD_CONTRACT)
    errors: dict[str, list[str]] = {}
    contract = Contract(created_by=actor if getattr(actor, "pk", None) else None)
    changes = {
        "customer": customer,
        "title": title,
        "amount": amount,
        "start_on": start_on,
        "end_on": end_on,
        "owner": owner if owner not in (None, "") else actor,
        **fields,
    }
    _apply(contract, actor, changes, errors)
    _check(contract, errors)
    contract.number = contract_number_next()
    contract.save()
    audit_record(
        actor=actor,
        action="contracts.contract.created",
        instance=contract,
        changes={"after": contract_snapshot(contract)},
    )
    return contract


def _locked_live(contract: Contract) -> Contract:
    current = lock_current(contract)
    if current.deleted_at is not None:
        raise NotFound(str(CONTRACT_NOT_FOUND))
    return current


@transaction.atomic
def contract_update(
    *, actor: Any, contract: Contract, expected_version: int | None, **changes: Any
) -> Contract:
    """Edit a contract found through a selector; customer, amount, currency and start
    date only while it is a draft. A stale version raises ConflictError (409)."""
    require_permission(actor, CHANGE_CONTRACT)
    current = _locked_live(contract)
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS)
    before = contract_snapshot(current)
    errors: dict[str, list[str]] = {}
    is_closed = current.status in (ContractStatus.FINISHED, ContractStatus.TERMINATED)
    for name in list(changes):
        if name == "customer" and _pk(changes[name]) == current.customer_id:
            changes.pop(name)  # unchanged: keep it even if it left the actor's scope
        elif name == "owner" and _pk(changes[name]) == current.owner_id:
            changes.pop(name)
        elif is_closed and name in CREATE_FIELDS and name != "notes":
            if str(before.get(name)) != str(changes[name]):
                errors.setdefault(name, []).append(str(CLOSED_FIELD))
            changes.pop(name)
        elif name in DRAFT_ONLY_FIELDS and current.status != ContractStatus.DRAFT:
            if str(before.get(name)) != str(changes[name]) and not (
                name == "amount" and _same_amount(changes[name], current.amount)
            ):
                errors.setdefault(name, []).append(str(LOCKED_FIELD))
            changes.pop(name)
    _apply(current, actor, changes, errors)
    _check(current, errors)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="contracts.contract.updated",
        instance=current,
        changes=diff(before, contract_snapshot(current)),
    )
    return current


def _same_amount(value: Any, amount: Decimal) -> bool:
    try:
        return Decimal(str(value).strip()) == amount
    except ArithmeticError:
        return False


def _step(
    actor: Any,
    contract: Contract,
    *,
    step: str,
    allowed_from: tuple[str, ...],
    expected_version: int | None,
) -> tuple[Contract, dict[str, Any]]:
    current = _locked_live(contract)
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS)
    if current.status not in allowed_from:
        raise ConflictError(
            str(ILLEGAL_TRANSITION)
            % {"status": current.get_status_display(), "step": STEP_NAMES[step]},
            current_version=current.version,
            current_values={"status": current.status},
        )
    return current, contract_snapshot(current)


def _finish_step(
    actor: Any, current: Contract, before: dict[str, Any], action: str, comment: str = ""
) -> Contract:
    current.version += 1
    current.save()
    if action in ApprovalAction.values:
        ContractApproval.objects.create(
            contract=current,
            action=action,
            actor=actor if getattr(actor, "pk", None) else None,
            comment=comment,
        )
    changes = diff(before, contract_snapshot(current))
    if comment:
        changes["comment"] = comment
    audit_record(
        actor=actor, action=f"contracts.contract.{action}", instance=current, changes=changes
    )
    return current


APPROVAL_KIND = "contracts.approval_requested"
DECISION_KIND = "contracts.approval_decided"
MAX_APPROVERS_NOTIFIED = 20


def _approvers_of(contract: Contract, *, exclude: Any) -> list[Any]:
    """Active users who may approve and whose data scope covers the contract (the
    owner's managers up the team tree, and "all"-scope approvers), nearest first."""
    from guanxi.accounts.models import User
    from guanxi.platform.permissions import has_permission
    from guanxi.platform.scoping import is_in_scope

    found = []
    candidates = User.objects.filter(is_active=True).exclude(pk=getattr(exclude, "pk", None))
    for user in candidates.select_related("role", "team").order_by("id")[:500]:
        if has_permission(user, APPROVE_CONTRACT) and is_in_scope(contract, actor=user):
            found.append(user)
        if len(found) >= MAX_APPROVERS_NOTIFIED:
            break
    return found


def _notify(recipient: Any, kind: str, title: Any, contract: Contract, comment: str) -> None:
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from guanxi.notifications.services import notification_send

    with translation.override(getattr(recipient, "language", "") or settings.LANGUAGE_CODE):
        notification_send(
            recipient=recipient,
            kind=kind,
            title=str(title) % {"number": contract.number},
            body=f"{contract.title} · {contract.amount} {contract.currency}"
            + (f"\n{comment}" if comment else ""),
            url=reverse("contracts:contract_detail", args=[contract.pk]),
        )


def _comment(value: Any, field: str, *, required_message: Any = None) -> str:
    errors: dict[str, list[str]] = {}
    text = _text(value, field, errors, max_length=MAX_TEXT)
    if required_message is not None and not text and not errors:
        errors[field] = [str(required_message)]
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    return text


@transaction.atomic
def contract_submit(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    """Owner sends a draft for approval."""
    require_permission(actor, CHANGE_CONTRACT)
    text = _comment(comment, "comment")
    current, before = _step(
        actor,
        contract,
        step="submit",
        allowed_from=(ContractStatus.DRAFT,),
        expected_version=expected_version,
    )
    from guanxi.platform.permissions import has_permission

    if current.owner_id != actor.pk and not has_permission(actor, APPROVE_CONTRACT):
        raise ValidationError(
            str(ONLY_OWNER_SUBMITS), field_errors={"__all__": [str(ONLY_OWNER_SUBMITS)]}
        )
    current.status = ContractStatus.IN_APPROVAL
    current.approved_at = None
    saved = _finish_step(actor, current, before, ApprovalAction.SUBMITTED, text)
    for approver in _approvers_of(saved, exclude=actor):
        _notify(
            approver,
            APPROVAL_KIND,
            _("Contract %(number)s waits for your approval"),
            saved,
            text,
        )
    return saved


@transaction.atomic
def contract_approve(
    *, actor: Any, contract: Contract, comment: str = "", expected_version: int | None = None
) -> Contract:
    """An approver approves a contract in approval; it can then be signed."""
    require_permission(actor, APPROVE_CONTRACT)
    text = _comment(comment, "comment")
    current, before = _step(
        actor,
        contract,
        step="approve",
        allowed_from=(ContractStatus.IN_APPROVAL,),
        expected_version=expected_version,
    )
    if current.approved_at is not None:
        raise ConflictError(
            str(ILLEGAL_TRANSITION)
            % {"status": current.get_status_display(), "step": STEP_NAMES["approve"]},
            current_version=current.version,
        )
    current.approved_at = timezone.now()
    saved = _finish_step(actor, current, before, ApprovalAction.APPROVED, text)
    if saved.owner_id != actor.pk:
        _notify(saved.owner, DECISION_KIND, _("Contract %(number)s was approved"), saved, text)
    return saved


@transaction.atomic
def contract_reject(
    *, actor: Any, contract: Contract, comment: str, expected_version: int | None = None
) -> Contract:
    """An approver sends the contract back to draft, saying why."""
    require_permission(actor, APPROVE_CONTRACT)
    text = _comment(comment, "comment", required_message=COMMENT_REQUIRED)
    current, before = _step(
        actor,
        contract,
        step="reject",
        allowed_from=(ContractStatus.IN_APPROVAL,),
        expected_version=expected_version,
    )
    current.status = ContractStatus.DRAFT
    current.approved_at = None
    saved = _finish_step(actor, current, before, ApprovalAction.REJECTED, text)
    if saved.owner_id != actor.pk:
        _notify(saved.owner, DECISION_KIND, _("Contract %(number)s was rejected"), saved, text)
    return saved


@transaction.atomic
def contract_sign(
    *,
    actor: Any,
    contract: Contract,
    signed_on: Any = None,
    expected_version: int | None = None,
) -> Contract:
    """An approved contract becomes signed (signed date defaults to today)."""
    require_permission(actor, CHANGE_CONTRACT)
    errors: dict[str, list[str]] = {}
    day = _date(signed_on, "signed_on", errors, required=False) or (
        None if errors else timezone.localdate()
    )
    if day is not None and day > timezone.localdate():
        errors.setdefault("signed_on", []).append(str(SIGNED_IN_FUTURE))
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    current, before = _step(
        actor,
        contract,
        step="sign",
        allowed_from=(ContractStatus.IN_APPROVAL,),
        expected_version=expected_version,
    )
    if current.approved_at is None:
        raise ConflictError(str(NOT_APPROVED), current_version=current.version)
    current.status = ContractStatus.SIGNED
    current.signed_on = day
    return _finish_step(actor, current, before, "signed")


@transaction.atomic
def contract_finish(
    *, actor: Any, contract: Contract, expected_version: int | None = None
) -> Contract:
    require_permission(actor, CHANGE_CONTRACT)
    current, before = _step(
        actor,
        contract,
        step="finish",
        allowed_from=(ContractStatus.SIGNED,),
        expected_version=expected_version,
    )
    current.status = ContractStatus.FINISHED
    return _finish_step(actor, current, before, "finished")


@transaction.atomic
def contract_terminate(
    *, actor: Any, contract: Contract, reason: str, expected_version: int | None = None
) -> Contract:
    """End a contract early (any status but finished), with a reason."""
    require_permission(actor, CHANGE_CONTRACT)
    text = _comment(reason, "reason", required_message=REASON_REQUIRED)
    current, before = _step(
        actor,
        contract,
        step="terminate",
        allowed_from=(ContractStatus.DRAFT, ContractStatus.IN_APPROVAL, ContractStatus.SIGNED),
        expected_version=expected_version,
    )
    current.status = ContractStatus.TERMINATED
    current.terminated_reason = text
    return _finish_step(actor, current, before, "terminated")


@transaction.atomic
def contract_delete(*, actor: Any, contract: Contract) -> Contract:
    require_permission(actor, DELETE_CONTRACT)
    current = lock_current(contract)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="contracts.contract.deleted", instance=current)
    return current


@transaction.atomic
def contract_restore(*, actor: Any, instance: Contract) -> Contract:
    """Back from the recycle bin (not while its customer is deleted)."""
    if not is_restorable(instance, actor=actor):
        raise NotFound(str(CONTRACT_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="contracts.contract.restored", instance=current)
    return current


def ending_window(contract: Contract) -> tuple[dt.date, dt.date]:
    """The days the renewal reminder is due: from end - N days to the end date."""
    return contract.end_on - dt.timedelta(days=contract.remind_days_before_end), contract.end_on
