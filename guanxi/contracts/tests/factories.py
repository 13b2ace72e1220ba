"""Helpers that create contracts through the services (STYLE.md rule 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from guanxi.contracts.models import Contract
from guanxi.contracts.services import (
    contract_approve,
    contract_create,
    contract_sign,
    contract_submit,
    payment_plan_set,
)
from guanxi.customers.tests.factories import CustomerFactory, _superuser_actor


def make_contract(*, customer: Any = None, owner: Any = None, **fields: Any) -> Contract:
    """A draft contract of `customer` (a new one owned by `owner`), written by the owner."""
    if customer is None:
        customer = CustomerFactory(owner=owner)
    owner = owner or customer.owner or _superuser_actor()
    fields.setdefault("title", "年度服务合同")
    fields.setdefault("amount", Decimal("10000.00"))
    fields.setdefault("start_on", dt.date(2026, 1, 1))
    fields.setdefault("end_on", dt.date(2026, 12, 31))
    actor = fields.pop("actor", owner)
    return contract_create(actor=actor, customer=customer, owner=owner, **fields)


def make_signed_contract(
    *,
    approver: Any = None,
    instalments: list[tuple[dt.date, Decimal]] | None = None,
    signed_on: dt.date | None = None,
    **fields: Any,
) -> Contract:
    """A contract taken through submit → approve → sign, with an optional plan."""
    contract = make_contract(**fields)
    approver = approver or _superuser_actor()
    contract = contract_submit(actor=contract.owner, contract=contract)
    contract = contract_approve(actor=approver, contract=contract)
    contract = contract_sign(
        actor=contract.owner, contract=contract, signed_on=signed_on or dt.date(2026, 1, 5)
    )
    if instalments:
        payment_plan_set(
            actor=contract.owner,
            contract=contract,
            instalments=[{"due_on": due, "amount": amount} for due, amount in instalments],
        )
    return contract
