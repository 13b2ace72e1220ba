from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.contracts.selectors import ContractFilter, contract_get, contract_list
from guanxi.contracts.services import contract_delete, contract_restore
from guanxi.contracts.tests.factories import make_contract, make_signed_contract
from guanxi.customers.services import customer_delete
from guanxi.platform.exceptions import NotFound

pytestmark = pytest.mark.django_db


def test_filters_ending_soon_overdue_status_and_search(org) -> None:
    today = timezone.localdate()
    ending = make_signed_contract(
        owner=org.east_rep, title="快到期合同", end_on=today + dt.timedelta(days=20)
    )
    overdue = make_signed_contract(
        owner=org.east_rep,
        title="逾期合同",
        end_on=today + dt.timedelta(days=200),
        instalments=[(today - dt.timedelta(days=1), Decimal("100"))],
    )
    draft = make_contract(owner=org.east_rep, title="草稿合同")

    def ids(**filters):
        return set(
            contract_list(actor=org.east_rep, filters=ContractFilter(**filters)).values_list(
                "pk", flat=True
            )
        )

    assert ids(is_ending_soon=True) == {ending.pk}
    assert ids(has_overdue=True) == {overdue.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(q="逾期") == {overdue.pk}
    assert ids(q=overdue.number) == {overdue.pk}
    assert ids(customer=draft.customer_id) == {draft.pk}


def test_recycle_bin_round_trip_and_customer_delete_hides(org) -> None:
    contract = make_contract(owner=org.east_rep)
    contract_delete(actor=org.east_rep, contract=contract)
    with pytest.raises(NotFound):
        contract_get(actor=org.east_rep, contract_id=contract.pk)
    contract_restore(actor=org.east_rep, instance=contract)
    assert contract_get(actor=org.east_rep, contract_id=contract.pk).pk == contract.pk
    with pytest.raises(NotFound):
        contract_restore(actor=org.west_rep, instance=contract)
    customer_delete(actor=org.east_rep, customer=contract.customer)
    with pytest.raises(NotFound):
        contract_get(actor=org.east_rep, contract_id=contract.pk)
    for bad in ("abc", 0, -1, 2**70, None):
        with pytest.raises(NotFound):
            contract_get(actor=org.east_rep, contract_id=bad)
