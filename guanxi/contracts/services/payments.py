"""Payment plans (回款计划) and payments received (回款).

The plan is replaced as a whole (like order lines): instalments numbered 1..n,
each amount > 0, their sum at most the contract amount. A payment is > 0, not in
the future, and at most what is still outstanding on the contract; the contract
row is locked while it is checked, so two clerks recording at once cannot together
overpay it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import (
    Contract,
    ContractStatus,
    Payment,
    PaymentMethod,
    PaymentPlan,
)
from guanxi.contracts.permissions import CHANGE_CONTRACT, RECORD_PAYMENT
from guanxi.contracts.services.contracts import CONTRACT_NOT_FOUND, _date, _pk, _text
from guanxi.customers.services._common import INVALID_INPUT, clean_notes, require_permission
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.versioning import lock_current
from guanxi.sales.services._common import parse_decimal

PLAN_OVER_AMOUNT = _(
    "The instalments add up to %(total)s, more than the contract amount %(amount)s."
)
PLAN_CLOSED = _("The payment plan of a finished or terminated contract cannot change.")
TOO_MANY_INSTALMENTS = _("At most %(max)s instalments.")
AMOUNT_POSITIVE = _("Enter an amount greater than zero.")
PAYMENT_OVER_OUTSTANDING = _(
    "This is more than the %(outstanding)s still outstanding on the contract."
)
PAYMENT_NOT_SIGNED = _("Payments can be recorded on signed contracts only.")
PAYMENT_IN_FUTURE = _("The date received cannot be in the future.")
UNKNOWN_INSTALMENT = _("Choose an instalment of this contract.")
INVALID_METHOD = _("Choose a valid payment method.")
PAYMENT_NOT_FOUND = _("This payment does not exist or you cannot see it.")
MAX_INSTALMENTS = 120


def _locked_contract(contract: Contract) -> Contract:
    current = lock_current(contract)
    if current.deleted_at is not None:
        raise NotFound(str(CONTRACT_NOT_FOUND))
    return current


def received_total(contract: Contract) -> Decimal:
    """The live payments' sum, from the payments themselves (checks the stored total)."""
    total = Payment.objects.filter(contract=contract, deleted_at__isnull=True).aggregate(
        total=Sum("amount")
    )["total"]
    return total if total is not None else Decimal("0.00")


@transaction.atomic
def payment_plan_set(*, actor: Any, contract: Contract, instalments: Any) -> list[PaymentPlan]:
    """Replace the contract's plan: `instalments` is a list of {due_on, amount, notes},
    numbered 1..n by due date.

    Errors name the row: "instalments.2.amount". Payments stay; they are applied to
    the new instalments in order."""
    require_permission(actor, CHANGE_CONTRACT)
    current = _locked_contract(contract)
    if current.status in (ContractStatus.FINISHED, ContractStatus.TERMINATED):
        raise ValidationError(str(INVALID_INPUT), field_errors={"instalments": [str(PLAN_CLOSED)]})
    errors: dict[str, list[str]] = {}
    rows = list(instalments) if isinstance(instalments, list | tuple) else []
    if len(rows) > MAX_INSTALMENTS:
        errors["instalments"] = [str(TOO_MANY_INSTALMENTS) % {"max": MAX_INSTALMENTS}]
        rows = []
    plan: list[PaymentPlan] = []
    for index, raw in enumerate(rows):
        row = raw if isinstance(raw, dict) else {}
        prefix = f"instalments.{index}."
        due_on = _date(row.get("due_on"), prefix + "due_on", errors, required=True)
        amount = parse_decimal(
            row.get("amount"),
            errors,
            prefix + "amount",
            minimum=Decimal("0.01"),
            minimum_message=AMOUNT_POSITIVE,
        )
        notes = _text(row.get("notes"), prefix + "notes", errors, max_length=300)
        if due_on is not None and amount is not None:
            plan.append(
                PaymentPlan(
                    contract=current,
                    sequence=index + 1,
                    due_on=due_on,
                    amount=amount,
                    notes=notes,
                )
            )
    # Numbered by due date: payments cover the earliest instalment first.
    plan.sort(key=lambda item: item.due_on)
    for number, item in enumerate(plan, start=1):
        item.sequence = number
    running = Decimal("0.00")
    for item in plan:
        item.before_amount = running
        running += item.amount
    total = running
    if not errors and total > current.amount:
        errors["instalments"] = [str(PLAN_OVER_AMOUNT) % {"total": total, "amount": current.amount}]
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    before = [
        [item.sequence, str(item.due_on), str(item.amount)]
        for item in PaymentPlan.objects.filter(contract=current)
    ]
    # Payments keep their note of the instalment they were for when its number stays.
    old_ids = dict(PaymentPlan.objects.filter(contract=current).values_list("sequence", "id"))
    PaymentPlan.objects.filter(contract=current).exclude(sequence__lte=len(plan)).delete()
    saved = []
    for item in plan:
        existing_id = old_ids.get(item.sequence)
        if existing_id:
            item.pk = existing_id
            PaymentPlan.objects.filter(pk=existing_id).update(
                due_on=item.due_on,
                amount=item.amount,
                before_amount=item.before_amount,
                notes=item.notes,
                updated_at=timezone.now(),
            )
        else:
            item.save()
        saved.append(item)
    current.planned_amount = total
    current.save(update_fields=["planned_amount", "updated_at"])
    audit_record(
        actor=actor,
        action="contracts.plan.updated",
        instance=current,
        changes={
            "before": before,
            "after": [[item.sequence, str(item.due_on), str(item.amount)] for item in plan],
        },
    )
    return saved


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    contract: Contract,
    received_on: Any,
    amount: Any,
    method: str = PaymentMethod.BANK_TRANSFER,
    instalment: Any = None,
    reference: str = "",
    notes: str = "",
) -> Payment:
    """Record money received on a signed (or finished) contract; never beyond what is
    outstanding."""
    require_permission(actor, RECORD_PAYMENT)
    current = _locked_contract(contract)
    errors: dict[str, list[str]] = {}
    if current.status not in (ContractStatus.SIGNED, ContractStatus.FINISHED):
        raise ValidationError(
            str(PAYMENT_NOT_SIGNED), field_errors={"__all__": [str(PAYMENT_NOT_SIGNED)]}
        )
    day = _date(received_on, "received_on", errors, required=True)
    if day is not None and day > timezone.localdate():
        errors.setdefault("received_on", []).append(str(PAYMENT_IN_FUTURE))
    value = parse_decimal(
        amount, errors, "amount", minimum=Decimal("0.01"), minimum_message=AMOUNT_POSITIVE
    )
    outstanding = current.amount - current.received_amount
    if value is not None and value > outstanding:
        errors.setdefault("amount", []).append(
            str(PAYMENT_OVER_OUTSTANDING) % {"outstanding": outstanding}
        )
    method = method or PaymentMethod.BANK_TRANSFER
    if method not in PaymentMethod.values:
        errors.setdefault("method", []).append(str(INVALID_METHOD))
    instalment_row = None
    if instalment not in (None, "", 0):
        pk = _pk(instalment)
        instalment_row = PaymentPlan.objects.filter(pk=pk, contract=current).first() if pk else None
        if instalment_row is None:
            errors.setdefault("instalment", []).append(str(UNKNOWN_INSTALMENT))
    reference_text = _text(reference, "reference", errors, max_length=100)
    notes_text = clean_notes(notes, errors)
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    payment = Payment.objects.create(
        contract=current,
        instalment=instalment_row,
        received_on=day,
        amount=value,
        method=method,
        reference=reference_text,
        notes=notes_text,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    current.received_amount += value  # type: ignore[operator]
    current.save(update_fields=["received_amount", "updated_at"])
    audit_record(
        actor=actor,
        action="contracts.payment.recorded",
        instance=current,
        changes={
            "payment": payment.pk,
            "amount": str(value),
            "received_on": str(day),
            "method": method,
        },
    )
    return payment


@transaction.atomic
def payment_delete(*, actor: Any, payment: Payment) -> Payment:
    """Cancel a payment recorded by mistake (kept, marked deleted, audited)."""
    require_permission(actor, RECORD_PAYMENT)
    current = _locked_contract(payment.contract)
    row = Payment.objects.select_for_update().filter(pk=payment.pk, contract=current).first()
    if row is None or row.deleted_at is not None:
        raise NotFound(str(PAYMENT_NOT_FOUND))
    row.deleted_at = timezone.now()
    row.deleted_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    current.received_amount -= row.amount
    current.save(update_fields=["received_amount", "updated_at"])
    audit_record(
        actor=actor,
        action="contracts.payment.deleted",
        instance=current,
        changes={"payment": row.pk, "amount": str(row.amount)},
    )
    return row
