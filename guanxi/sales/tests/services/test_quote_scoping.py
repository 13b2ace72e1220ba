"""Who sees which quotes: the customer's scope decides, for lists, gets, PDFs, the
timeline and the recycle bin (leak test, STYLE.md rule 13)."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers import services as customer_services
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.timeline import timeline_for_customer
from guanxi.platform.exceptions import NotFound
from guanxi.platform.selectors import recycle_bin_list
from guanxi.sales import selectors, services
from guanxi.sales.tests.quote_factories import make_quote, quote_roles  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quote_roles")]

EXPECTED = {
    "admin": {"east1", "east2", "west", "hq"},
    "manager": {"east1", "east2", "west"},
    "east_rep": {"east1"},
    "east_rep2": {"east2"},
    "west_rep": {"west"},
    "service_agent": {"east1", "east2", "west", "hq"},
}
WRITERS = {"admin", "manager", "east_rep", "east_rep2", "west_rep"}


@pytest.fixture
def quotes(org: Any) -> dict[str, Any]:
    owners = {
        "east1": org.east_rep,
        "east2": org.east_rep2,
        "west": org.west_rep,
        "hq": org.admin,
    }
    return {key: make_quote(customer=CustomerFactory(owner=owner)) for key, owner in owners.items()}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_view_change_matrix(org: Any, quotes: dict[str, Any], role: str) -> None:
    actor = getattr(org, role)
    names = {quote.pk: key for key, quote in quotes.items()}
    assert {names[q.pk] for q in selectors.quote_list(actor=actor)} == EXPECTED[role]
    changeable = {names[q.pk] for q in selectors.quote_list(actor=actor, action="change")}
    assert changeable == (EXPECTED[role] if role in WRITERS else set())
    for key, quote in quotes.items():
        events = timeline_for_customer(customer=quote.customer, actor=actor)
        has_event = any(event.kind.startswith("quote.") for event in events)
        assert has_event == (key in EXPECTED[role])
        if key in EXPECTED[role]:
            continue
        with pytest.raises(NotFound):
            selectors.quote_get(actor=actor, quote_id=quote.pk)
        with pytest.raises(NotFound):
            services.quote_send(actor=actor, quote=quote)
        assert (
            selectors.customer_quotes_summary(actor=actor, customer_id=quote.customer_id).quotes
            == []
        )


def test_deleted_customer_hides_its_quotes_and_recycle_bin_is_scoped(
    org: Any, quotes: dict[str, Any]
) -> None:
    services.quote_delete(actor=org.east_rep, quote=quotes["east1"])
    bin_for_rep = {
        row.pk
        for _entry, rows in recycle_bin_list(actor=org.east_rep, type_key="sales.quote")
        for row in rows
    }
    assert bin_for_rep == {quotes["east1"].pk}
    assert not [
        row
        for _e, rows in recycle_bin_list(actor=org.west_rep, type_key="sales.quote")
        for row in rows
    ]
    customer_services.customer_delete(actor=org.east_rep2, customer=quotes["east2"].customer)
    assert {q.pk for q in selectors.quote_list(actor=org.admin)} == {
        quotes["west"].pk,
        quotes["hq"].pk,
    }


def test_customer_merge_moves_quotes(org: Any) -> None:
    source = CustomerFactory(owner=org.east_rep, name="重复客户")
    target = CustomerFactory(owner=org.east_rep, name="主客户")
    quote = make_quote(customer=source)
    customer_services.customer_merge(actor=org.admin, survivor=target, other=source)
    quote.refresh_from_db()
    assert quote.customer_id == target.pk
