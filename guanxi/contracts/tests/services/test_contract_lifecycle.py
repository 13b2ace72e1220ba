from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.contracts.models import ApprovalAction, ContractStatus
from guanxi.contracts.services import (
    contract_approve,
    contract_finish,
    contract_reject,
    contract_sign,
    contract_submit,
    contract_terminate,
    contract_update,
)
from guanxi.contracts.services.contracts import (
    COMMENT_REQUIRED,
    END_BEFORE_START,
    LOCKED_FIELD,
    REASON_REQUIRED,
    UNKNOWN_CUSTOMER,
)
from guanxi.contracts.tests.factories import make_contract
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import ConflictError, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def test_create_takes_number_owner_team_and_audits(org):
    contract = make_contract(owner=org.east_rep)
    assert contract.number.startswith(f"HT-{dt.date.today().year}-")
    assert contract.team == org.east
    assert contract.status == ContractStatus.DRAFT
    assert contract.version == 1


def test_create_refuses_bad_input_and_writes_nothing(org):
    from guanxi.contracts.models import Contract, ContractSequence

    foreign = CustomerFactory(owner=org.west_rep)
    with pytest.raises(ValidationError) as caught:
        make_contract(
            customer=foreign,
            owner=org.east_rep,
            amount="-5",
            start_on="2026-02-01",
            end_on="2026-01-01",
            currency="人民币",
            title="",
        )
    errors = caught.value.field_errors
    assert errors["customer"] == [str(UNKNOWN_CUSTOMER)]
    assert "amount" in errors and "currency" in errors and "title" in errors
    assert errors["end_on"] == [str(END_BEFORE_START)]
    assert not Contract.objects.exists()
    assert ContractSequence.objects.filter(last_value__gt=0).count() == 0


def test_full_life_cycle_with_approval_log(org):
    contract = make_contract(owner=org.east_rep)
    contract = contract_submit(actor=org.east_rep, contract=contract, comment="请审批")
    assert contract.status == ContractStatus.IN_APPROVAL
    with pytest.raises(PermissionDenied):
        contract_approve(actor=org.east_rep, contract=contract)
    with pytest.raises(ValidationError) as caught:
        contract_reject(actor=org.manager, contract=contract, comment=" ")
    assert caught.value.field_errors["comment"] == [str(COMMENT_REQUIRED)]
    contract = contract_reject(actor=org.manager, contract=contract, comment="金额不对")
    assert contract.status == ContractStatus.DRAFT
    contract = contract_submit(actor=org.east_rep, contract=contract)
    contract = contract_approve(actor=org.manager, contract=contract, comment="同意")
    contract = contract_sign(actor=org.east_rep, contract=contract, signed_on="2026-01-10")
    assert contract.status == ContractStatus.SIGNED
    assert contract.signed_on == dt.date(2026, 1, 10)
    contract = contract_finish(actor=org.east_rep, contract=contract)
    assert contract.status == ContractStatus.FINISHED
    actions = list(contract.approvals.values_list("action", "comment"))
    assert actions == [
        (ApprovalAction.SUBMITTED, "请审批"),
        (ApprovalAction.REJECTED, "金额不对"),
        (ApprovalAction.SUBMITTED, ""),
        (ApprovalAction.APPROVED, "同意"),
    ]


@pytest.mark.parametrize(
    "step",
    ["approve", "reject", "sign", "finish"],
)
def test_illegal_transitions_from_draft_are_refused(org, step):
    contract = make_contract(owner=org.east_rep)
    calls = {
        "approve": lambda: contract_approve(actor=org.manager, contract=contract),
        "reject": lambda: contract_reject(actor=org.manager, contract=contract, comment="x"),
        "sign": lambda: contract_sign(actor=org.east_rep, contract=contract),
        "finish": lambda: contract_finish(actor=org.east_rep, contract=contract),
    }
    with pytest.raises(ConflictError):
        calls[step]()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT
    assert contract.version == 1


def test_sign_needs_approval_and_finished_cannot_be_terminated(org):
    contract = make_contract(owner=org.east_rep)
    contract = contract_submit(actor=org.east_rep, contract=contract)
    with pytest.raises(ConflictError):
        contract_sign(actor=org.east_rep, contract=contract)
    contract = contract_approve(actor=org.manager, contract=contract)
    with pytest.raises(ConflictError):
        contract_approve(actor=org.manager, contract=contract)
    contract = contract_sign(actor=org.east_rep, contract=contract)
    with pytest.raises(ConflictError):
        contract_submit(actor=org.east_rep, contract=contract)
    contract = contract_finish(actor=org.east_rep, contract=contract)
    with pytest.raises(ConflictError):
        contract_terminate(actor=org.east_rep, contract=contract, reason="客户违约")


def test_terminate_needs_reason(org):
    contract = make_contract(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        contract_terminate(actor=org.east_rep, contract=contract, reason="")
    assert caught.value.field_errors["reason"] == [str(REASON_REQUIRED)]
    contract = contract_terminate(actor=org.east_rep, contract=contract, reason="客户取消")
    assert contract.status == ContractStatus.TERMINATED
    assert contract.terminated_reason == "客户取消"


def test_update_checks_version_and_locks_amount_after_draft(org):
    contract = make_contract(owner=org.east_rep)
    contract = contract_update(
        actor=org.east_rep, contract=contract, expected_version=1, title="新标题"
    )
    assert contract.version == 2
    with pytest.raises(ConflictError):
        contract_update(actor=org.east_rep, contract=contract, expected_version=1, title="x")
    contract = contract_submit(actor=org.east_rep, contract=contract)
    with pytest.raises(ValidationError) as caught:
        contract_update(
            actor=org.east_rep, contract=contract, expected_version=None, amount=Decimal("1")
        )
    assert caught.value.field_errors["amount"] == [str(LOCKED_FIELD)]
    unchanged = contract_update(
        actor=org.east_rep, contract=contract, expected_version=None, amount="10000", notes="备注"
    )
    assert unchanged.notes == "备注"


def test_approvers_and_owner_are_notified(org):
    from guanxi.notifications.models import Notification

    contract = make_contract(owner=org.east_rep)
    contract_submit(actor=org.east_rep, contract=contract)
    asked = set(
        Notification.objects.filter(kind="contracts.approval_requested").values_list(
            "recipient_id", flat=True
        )
    )
    assert org.manager.pk in asked and org.admin.pk in asked
    assert org.east_rep.pk not in asked and org.west_rep.pk not in asked
    contract_reject(actor=org.manager, contract=contract, comment="补充附件")
    decided = Notification.objects.get(kind="contracts.approval_decided")
    assert decided.recipient_id == org.east_rep.pk and "补充附件" in decided.body
