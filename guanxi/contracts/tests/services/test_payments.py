from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.contracts.models import Payment
from guanxi.contracts.selectors import (
    contract_get,
    contract_instalments,
    overdue_instalments,
    receivables_report,
)
from guanxi.contracts.services import (
    contract_update,
    payment_delete,
    payment_plan_set,
    payment_record,
)
from guanxi.contracts.services.payments import (
    AMOUNT_POSITIVE,
    PAYMENT_IN_FUTURE,
    PAYMENT_NOT_SIGNED,
    PLAN_OVER_AMOUNT,
)
from guanxi.contracts.tests.factories import make_contract, make_signed_contract
from guanxi.platform.exceptions import PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db
D = Decimal


def _statuses(contract, today):
    return [
        (i.sequence, i.pay_status, i.covered) for i in contract_instalments(contract, today=today)
    ]


def test_plan_sum_cannot_exceed_amount_and_rows_are_named(org):
    contract = make_signed_contract(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        payment_plan_set(
            actor=org.east_rep,
            contract=contract,
            instalments=[
                {"due_on": "2026-02-01", "amount": "6000"},
                {"due_on": "2026-05-01", "amount": "5000"},
            ],
        )
    assert caught.value.field_errors["instalments"] == [
        str(PLAN_OVER_AMOUNT) % {"total": D("11000.00"), "amount": D("10000.00")}
    ]
    with pytest.raises(ValidationError) as caught:
        payment_plan_set(
            actor=org.east_rep,
            contract=contract,
            instalments=[{"due_on": "someday", "amount": "-1"}],
        )
    assert set(caught.value.field_errors) == {"instalments.0.due_on", "instalments.0.amount"}
    assert not contract.instalments.exists()


def test_overpayment_is_a_field_error_and_nothing_is_written(org):
    contract = make_signed_contract(owner=org.east_rep)
    payment_record(actor=org.east_rep, contract=contract, received_on="2026-02-01", amount="9000")
    with pytest.raises(ValidationError) as caught:
        payment_record(
            actor=org.east_rep, contract=contract, received_on="2026-02-02", amount="1000.01"
        )
    assert "amount" in caught.value.field_errors
    assert "1000.00" in caught.value.field_errors["amount"][0]
    assert Payment.objects.count() == 1
    payment_record(actor=org.east_rep, contract=contract, received_on="2026-02-02", amount="1000")
    assert contract_get(actor=org.east_rep, contract_id=contract.pk).outstanding == D("0.00")


@pytest.mark.parametrize(
    ("amount", "received_on", "field", "message"),
    [
        ("0", "2026-02-01", "amount", AMOUNT_POSITIVE),
        ("-10", "2026-02-01", "amount", AMOUNT_POSITIVE),
        ("abc", "2026-02-01", "amount", None),
        ("10", "2999-01-01", "received_on", PAYMENT_IN_FUTURE),
        ("10", "not a date", "received_on", None),
    ],
)
def test_payment_bad_input(org, amount, received_on, field, message):
    contract = make_signed_contract(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        payment_record(
            actor=org.east_rep, contract=contract, received_on=received_on, amount=amount
        )
    assert field in caught.value.field_errors
    if message is not None:
        assert caught.value.field_errors[field] == [str(message)]
    assert not Payment.objects.exists()


def test_payment_needs_signed_contract_and_permission(org):
    draft = make_contract(owner=org.east_rep)
    with pytest.raises(ValidationError) as caught:
        payment_record(actor=org.east_rep, contract=draft, received_on="2026-02-01", amount="1")
    assert caught.value.message == str(PAYMENT_NOT_SIGNED)
    signed = make_signed_contract(owner=org.east_rep)
    with pytest.raises(PermissionDenied):
        payment_record(
            actor=org.service_agent, contract=signed, received_on="2026-02-01", amount="1"
        )


def test_instalment_status_fifo_and_overdue_with_fixed_dates(org):
    contract = make_signed_contract(
        owner=org.east_rep,
        instalments=[
            (dt.date(2026, 2, 1), D("3000")),
            (dt.date(2026, 4, 1), D("3000")),
            (dt.date(2026, 6, 1), D("4000")),
        ],
    )
    today = dt.date(2026, 4, 15)
    assert _statuses(contract, today) == [
        (1, "overdue", D("0.00")),
        (2, "overdue", D("0.00")),
        (3, "unpaid", D("0.00")),
    ]
    payment_record(actor=org.east_rep, contract=contract, received_on="2026-03-01", amount="4000")
    assert _statuses(contract, today) == [
        (1, "paid", D("3000.00")),
        (2, "overdue", D("1000.00")),
        (3, "unpaid", D("0.00")),
    ]
    assert _statuses(contract, dt.date(2026, 3, 15))[1] == (2, "partly", D("1000.00"))
    overdue = overdue_instalments(actor=org.east_rep, today=today)
    assert [(i.sequence, i.outstanding) for i in overdue] == [(2, D("2000.00"))]
    assert overdue_instalments(actor=org.west_rep, today=today) == []
    payment = payment_record(
        actor=org.east_rep, contract=contract, received_on="2026-04-02", amount="2000"
    )
    assert _statuses(contract, today)[1][1] == "paid"
    payment_delete(actor=org.east_rep, payment=payment)
    assert _statuses(contract, today)[1][1] == "overdue"


def test_amount_cannot_drop_below_plan(org):
    contract = make_contract(owner=org.east_rep)
    payment_plan_set(
        actor=org.east_rep,
        contract=contract,
        instalments=[{"due_on": "2026-03-01", "amount": 8000}],
    )
    with pytest.raises(ValidationError) as caught:
        contract_update(actor=org.east_rep, contract=contract, expected_version=None, amount="7000")
    assert "amount" in caught.value.field_errors


def test_receivables_report_buckets_per_customer_and_owner(org):
    today = dt.date(2026, 6, 30)
    first = make_signed_contract(
        owner=org.east_rep,
        amount=D("10000"),
        instalments=[
            (dt.date(2026, 6, 20), D("1000")),  # 10 days overdue
            (dt.date(2026, 5, 20), D("2000")),  # 41 days
            (dt.date(2026, 4, 20), D("3000")),  # 71 days
            (dt.date(2026, 1, 20), D("1500")),  # 161 days
            (dt.date(2026, 8, 1), D("500")),  # not due
        ],
    )  # 2000 unplanned, due at end 2026-12-31 -> not due
    payment_record(actor=org.east_rep, contract=first, received_on="2026-06-01", amount="500")
    make_signed_contract(owner=org.west_rep, amount=D("800"), end_on=dt.date(2026, 6, 1))
    make_contract(owner=org.east_rep, amount=D("99999"))  # a draft owes nothing

    report = receivables_report(actor=org.manager, today=today)
    by_owner = {row.key: row for row in report.by_owner}
    east = by_owner[org.east_rep.pk]
    # FIFO by due date: the 500 received covers the oldest instalment (01-20) partly.
    assert east.bucket_list() == [
        D("2500.00"),
        D("1000.00"),
        D("2000.00"),
        D("3000.00"),
        D("1000.00"),
    ]
    assert by_owner[org.west_rep.pk].bucket_list() == [D("0")] * 1 + [D("800.00")] + [D("0")] * 3
    assert report.totals.total == D("10300.00")
    assert len(report.by_customer) == 2
    rep_view = receivables_report(actor=org.west_rep, today=today)
    assert [row.key for row in rep_view.by_owner] == [org.west_rep.pk]
