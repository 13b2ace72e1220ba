"""Tasks about a lead, an opportunity or a contract: scope-checked links, the customer
follows from the deal or contract, filters, the record's task panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from guanxi.activities import selectors
from guanxi.activities.tests.factories import make_task
from guanxi.contracts.tests.factories import make_contract
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.deals.tests.factories import make_opportunity
from guanxi.leads.tests.factories import make_lead
from guanxi.platform.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def test_links_to_lead_opportunity_and_contract(org: Any) -> None:
    customer = CustomerFactory(owner=org.admin)
    lead = make_lead(actor=org.admin)
    opportunity = make_opportunity(actor=org.admin, customer=customer)
    contract = make_contract(customer=customer, owner=org.admin)
    on_lead = make_task(actor=org.admin, title="联系线索", lead=lead.pk)
    on_deal = make_task(actor=org.admin, title="跟进商机", opportunity=opportunity.pk)
    on_contract = make_task(actor=org.admin, title="催回款", contract=contract)
    assert on_lead.lead_id == lead.pk and on_lead.customer_id is None
    assert on_deal.customer_id == customer.pk  # the deal's customer
    assert on_contract.contract_id == contract.pk and on_contract.customer_id == customer.pk
    found = selectors.task_list(
        actor=org.admin, filters=selectors.TaskFilter(opportunity=opportunity.pk)
    )
    assert [task.pk for task in found] == [on_deal.pk]
    assert [
        t.pk for t in selectors.related_tasks(actor=org.admin, kind="lead", record_id=lead.pk)
    ] == [on_lead.pk]


@pytest.mark.parametrize("field", ["lead", "opportunity", "contract"])
def test_records_out_of_scope_or_unknown_are_field_errors(org: Any, field: str) -> None:
    customer = CustomerFactory(owner=org.west_rep)
    records = {
        "lead": lambda: make_lead(actor=org.admin, owner=org.west_rep),
        "opportunity": lambda: make_opportunity(actor=org.admin, customer=customer),
        "contract": lambda: make_contract(customer=customer, owner=org.admin),
    }
    record = records[field]()
    for value in (record.pk, 999999, "abc"):
        with pytest.raises(ValidationError) as caught:
            make_task(actor=org.east_rep, **{field: value})
        assert field in caught.value.field_errors


def test_record_panel_lists_its_tasks(org: Any) -> None:
    lead = make_lead(actor=org.admin)
    make_task(actor=org.admin, title="打给线索", lead=lead.pk)
    request = RequestFactory().get("/leads/1/")
    request.user = org.admin
    html = Template(
        '{% include "activities/partials/record_tasks.html" with kind="lead" record=lead %}'
    ).render(Context({"request": request, "lead": lead}))
    assert 'data-testid="record-tasks"' in html and "打给线索" in html
    assert f"?lead={lead.pk}" in html
