"""Contracts over the REST API: thin like the views (selectors in, services out)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.contracts import selectors, services
from guanxi.contracts.models import Contract, Payment, PaymentPlan
from guanxi.contracts.schemas import (
    ContractFilter,
    ContractIn,
    ContractOut,
    ContractPageOut,
    ContractPatchIn,
    InstalmentOut,
    PaymentIn,
    PaymentOut,
    PlanIn,
    ReceivablesFilter,
    ReceivablesOut,
    RejectIn,
    SignIn,
    StepIn,
    TerminateIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import (
    Id,
    IfMatch,
    changes_of,
    expected_version,
    keyset_page_out,
    set_etag,
)
from guanxi.sales.services._common import money

router = Router(tags=["contracts"])


def _money(value: Any) -> Decimal:
    return money(Decimal(value or 0))


def _contract_out(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.pk,
        "version": contract.version,
        "number": contract.number,
        "title": contract.title,
        "customer": contract.customer_id,
        "customer_name": contract.customer.name,
        "contact": contract.contact_id,
        "opportunity": contract.opportunity_id,
        "quote": contract.quote_id,
        "owner": contract.owner_id,
        "owner_name": str(contract.owner),
        "team": contract.team_id,
        "amount": contract.amount,
        "currency": contract.currency,
        "received": _money(getattr(contract, "received", 0)),
        "outstanding": _money(getattr(contract, "outstanding", contract.amount)),
        "start_on": contract.start_on,
        "end_on": contract.end_on,
        "signed_on": contract.signed_on,
        "status": contract.status,
        "is_approved": contract.approved_at is not None,
        "terminated_reason": contract.terminated_reason,
        "remind_days_before_end": contract.remind_days_before_end,
        "notes": contract.notes,
        "created_at": contract.created_at,
        "updated_at": contract.updated_at,
    }


def _answer(request: HttpRequest, response: HttpResponse, contract: Contract) -> dict[str, Any]:
    fresh = selectors.contract_get(actor=request.user, contract_id=contract.pk)
    set_etag(response, fresh.version)
    return _contract_out(fresh)


def _instalment_out(item: PaymentPlan) -> dict[str, Any]:
    return {
        "id": item.pk,
        "sequence": item.sequence,
        "due_on": item.due_on,
        "amount": item.amount,
        "received": _money(item.covered),  # type: ignore[attr-defined]
        "outstanding": _money(item.outstanding),  # type: ignore[attr-defined]
        "status": item.pay_status,  # type: ignore[attr-defined]
        "notes": item.notes,
    }


def _payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "contract": payment.contract_id,
        "instalment": payment.instalment_id,
        "received_on": payment.received_on,
        "amount": payment.amount,
        "method": payment.method,
        "reference": payment.reference,
        "notes": payment.notes,
        "recorded_by": payment.recorded_by_id,
        "created_at": payment.created_at,
    }


@router.get("/contracts", response={200: ContractPageOut, **READ_ERRORS})
def contract_list(request: HttpRequest, filters: Query[ContractFilter]) -> dict[str, Any]:
    """Contracts the caller may see (owner / team / all), newest first by default."""
    qs = selectors.contract_list(
        actor=request.user,
        filters=selectors.ContractFilter(
            q=filters.q,
            status=filters.status,
            owner=filters.owner,
            customer=filters.customer,
            is_ending_soon=filters.ending_soon,
            has_overdue=filters.overdue,
        ),
    )
    return keyset_page_out(
        selectors.with_money(qs),
        ordering=selectors.CONTRACT_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_contract_out,
    )


@router.post("/contracts", response={201: ContractOut, **WRITE_ERRORS})
def contract_create(request: HttpRequest, payload: ContractIn, response: HttpResponse) -> Status:
    """Create a draft contract; its number comes from the configured sequence."""
    contract = services.contract_create(actor=request.user, **changes_of(payload))
    return Status(201, _answer(request, response, contract))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **READ_ERRORS})
def contract_get(request: HttpRequest, contract_id: Id, response: HttpResponse) -> Any:
    """One contract with received and outstanding; the ETag carries its version."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    set_etag(response, contract.version)
    return _contract_out(contract)


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **WRITE_ERRORS})
def contract_update(
    request: HttpRequest,
    contract_id: Id,
    payload: ContractPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent (customer, amount, currency, start only in draft).
    Send `If-Match` with the ETag from GET: stale -> 409."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id, action="change")
    updated = services.contract_update(
        actor=request.user,
        contract=contract,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _answer(request, response, updated)


@router.delete("/contracts/{contract_id}", response={204: None, **WRITE_ERRORS})
def contract_delete(request: HttpRequest, contract_id: Id) -> Status:
    """Move to the recycle bin."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id, action="delete")
    services.contract_delete(actor=request.user, contract=contract)
    return Status(204, None)


def _step_target(request: HttpRequest, contract_id: int, action: str = "change") -> Contract:
    return selectors.contract_get(actor=request.user, contract_id=contract_id, action=action)


@router.post("/contracts/{contract_id}/submit", response={200: ContractOut, **WRITE_ERRORS})
def contract_submit(
    request: HttpRequest,
    contract_id: Id,
    payload: StepIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Draft -> in approval (the owner, or an approver)."""
    contract = services.contract_submit(
        actor=request.user,
        contract=_step_target(request, contract_id),
        comment=payload.comment,
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.post("/contracts/{contract_id}/approve", response={200: ContractOut, **WRITE_ERRORS})
def contract_approve(
    request: HttpRequest,
    contract_id: Id,
    payload: StepIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Approve a contract in approval (contracts.approve_contract); it can then be signed."""
    contract = services.contract_approve(
        actor=request.user,
        contract=_step_target(request, contract_id, "view"),
        comment=payload.comment,
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.post("/contracts/{contract_id}/reject", response={200: ContractOut, **WRITE_ERRORS})
def contract_reject(
    request: HttpRequest,
    contract_id: Id,
    payload: RejectIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Send a contract in approval back to draft, with a comment."""
    contract = services.contract_reject(
        actor=request.user,
        contract=_step_target(request, contract_id, "view"),
        comment=payload.comment,
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.post("/contracts/{contract_id}/sign", response={200: ContractOut, **WRITE_ERRORS})
def contract_sign(
    request: HttpRequest,
    contract_id: Id,
    payload: SignIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Approved -> signed (signed_on defaults to today, never in the future)."""
    contract = services.contract_sign(
        actor=request.user,
        contract=_step_target(request, contract_id),
        signed_on=payload.signed_on,
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.post("/contracts/{contract_id}/finish", response={200: ContractOut, **WRITE_ERRORS})
def contract_finish(
    request: HttpRequest, contract_id: Id, response: HttpResponse, if_match: IfMatch = None
) -> Any:
    """Signed -> finished."""
    contract = services.contract_finish(
        actor=request.user,
        contract=_step_target(request, contract_id),
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.post("/contracts/{contract_id}/terminate", response={200: ContractOut, **WRITE_ERRORS})
def contract_terminate(
    request: HttpRequest,
    contract_id: Id,
    payload: TerminateIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """End early (any status but finished), with a reason."""
    contract = services.contract_terminate(
        actor=request.user,
        contract=_step_target(request, contract_id),
        reason=payload.reason,
        expected_version=expected_version(if_match),
    )
    return _answer(request, response, contract)


@router.get("/contracts/{contract_id}/plan", response={200: list[InstalmentOut], **READ_ERRORS})
def plan_get(request: HttpRequest, contract_id: Id) -> list[dict[str, Any]]:
    """The instalments with what each has received (payments cover the earliest first)."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    return [_instalment_out(item) for item in selectors.contract_instalments(contract)]


@router.put("/contracts/{contract_id}/plan", response={200: list[InstalmentOut], **WRITE_ERRORS})
def plan_set(request: HttpRequest, contract_id: Id, payload: PlanIn) -> list[dict[str, Any]]:
    """Replace the plan; instalments add up to at most the contract amount."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id, action="change")
    services.payment_plan_set(
        actor=request.user,
        contract=contract,
        instalments=[item.model_dump() for item in payload.instalments],
    )
    return [_instalment_out(item) for item in selectors.contract_instalments(contract)]


@router.get("/contracts/{contract_id}/payments", response={200: list[PaymentOut], **READ_ERRORS})
def payment_list(request: HttpRequest, contract_id: Id) -> list[dict[str, Any]]:
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    return [_payment_out(payment) for payment in selectors.contract_payments(contract)]


@router.post("/contracts/{contract_id}/payments", response={201: PaymentOut, **WRITE_ERRORS})
def payment_create(request: HttpRequest, contract_id: Id, payload: PaymentIn) -> Status:
    """Record a payment on a signed contract; more than the outstanding amount -> 422."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    payment = services.payment_record(actor=request.user, contract=contract, **payload.model_dump())
    return Status(201, _payment_out(payment))


@router.delete(
    "/contracts/{contract_id}/payments/{payment_id}", response={204: None, **WRITE_ERRORS}
)
def payment_delete(request: HttpRequest, contract_id: Id, payment_id: Id) -> Status:
    """Cancel a payment recorded by mistake (kept in the audit log)."""
    contract = selectors.contract_get(actor=request.user, contract_id=contract_id)
    payment = selectors.payment_get(actor=request.user, contract=contract, payment_id=payment_id)
    services.payment_delete(actor=request.user, payment=payment)
    return Status(204, None)


def _age_row(row: selectors.AgeRow) -> dict[str, Any]:
    buckets = row.buckets
    return {
        "id": row.key,
        "name": row.label,
        "not_due": buckets["not_due"],
        "overdue_1_30": buckets["d1_30"],
        "overdue_31_60": buckets["d31_60"],
        "overdue_61_90": buckets["d61_90"],
        "overdue_over_90": buckets["d90_plus"],
        "total": row.total,
    }


@router.get("/receivables", response={200: ReceivablesOut, **READ_ERRORS})
def receivables(request: HttpRequest, filters: Query[ReceivablesFilter]) -> dict[str, Any]:
    """Outstanding money by age (days past due) per customer and per owner, in scope."""
    report = selectors.receivables_report(actor=request.user, owner_id=filters.owner)
    return {
        "as_of": report.today,
        "by_customer": [_age_row(row) for row in report.by_customer],
        "by_owner": [_age_row(row) for row in report.by_owner],
        "totals": _age_row(report.totals),
    }
