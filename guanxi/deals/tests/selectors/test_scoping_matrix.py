"""Who sees which opportunities: their own owner/team decide (rep own, manager subtree,
all for admin and service). A row outside the scope is invisible and 404s everywhere:
list, get, board, 360 panel, timeline, API."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers import services as customer_services
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.customers.timeline import timeline_for_customer
from guanxi.deals import selectors, services
from guanxi.deals.tests.factories import make_opportunity
from guanxi.platform.exceptions import NotFound, PermissionDenied
from guanxi.platform.selectors import recycle_bin_list

pytestmark = pytest.mark.django_db

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
def opportunities(org: Any) -> dict[str, Any]:
    owners = {
        "east1": org.east_rep,
        "east2": org.east_rep2,
        "west": org.west_rep,
        "hq": org.admin,
    }
    return {key: make_opportunity(actor=owner, title=f"opp-{key}") for key, owner in owners.items()}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_view_change_matrix(org: Any, opportunities: dict[str, Any], role: str) -> None:
    actor = getattr(org, role)
    names = {o.pk: key for key, o in opportunities.items()}
    visible = {names[o.pk] for o in selectors.opportunity_list(actor=actor)}
    assert visible == EXPECTED[role]
    pipeline = selectors.pipeline_get(actor=actor)
    board = selectors.board_get(actor=actor, pipeline=pipeline)
    on_board = {names[card.pk] for column in board.columns for card in column.cards}
    assert on_board == EXPECTED[role]
    for key, opportunity in opportunities.items():
        if key not in EXPECTED[role]:
            with pytest.raises(NotFound):
                selectors.opportunity_get(actor=actor, opportunity_id=opportunity.pk)
            assert (
                selectors.customer_opportunities(actor=actor, customer_id=opportunity.customer_id)
                == []
            )
    changeable = {names[o.pk] for o in selectors.opportunity_list(actor=actor, action="change")}
    assert changeable == (EXPECTED[role] if role in WRITERS else set())


def test_service_agent_cannot_write(org: Any, opportunities: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.opportunity_update(
            actor=org.service_agent,
            opportunity=opportunities["east1"],
            expected_version=None,
            title="x",
        )


def test_reassigned_owner_moves_visibility(org: Any, opportunities: dict[str, Any]) -> None:
    services.opportunity_update(
        actor=org.manager,
        opportunity=opportunities["east1"],
        expected_version=None,
        owner=org.west_rep.pk,
    )
    visible = {o.title for o in selectors.opportunity_list(actor=org.west_rep)}
    assert visible == {"opp-east1", "opp-west"}
    assert selectors.opportunity_list(actor=org.east_rep).count() == 0


def test_deleted_customer_hides_its_opportunities_and_bin_is_scoped(
    org: Any, opportunities: dict[str, Any]
) -> None:
    services.opportunity_delete(actor=org.east_rep, opportunity=opportunities["east1"])
    bin_rows = {
        row.pk
        for _entry, rows in recycle_bin_list(actor=org.east_rep, type_key="deals.opportunity")
        for row in rows
    }
    assert bin_rows == {opportunities["east1"].pk}
    assert not [
        row
        for _e, rows in recycle_bin_list(actor=org.west_rep, type_key="deals.opportunity")
        for row in rows
    ]
    customer_services.customer_delete(actor=org.east_rep2, customer=opportunities["east2"].customer)
    assert {o.title for o in selectors.opportunity_list(actor=org.admin)} == {
        "opp-west",
        "opp-hq",
    }


def test_timeline_shows_stage_events_only_to_who_sees_them(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    mine = make_opportunity(actor=org.east_rep, customer=customer, title="我的商机")
    services.opportunity_win(actor=org.east_rep, opportunity=mine, expected_version=1)
    # A colleague's opportunity on the same customer (the manager made it for west1).
    make_opportunity(actor=org.manager, customer=customer, owner=org.west_rep, title="同事商机")
    titles = [e.title for e in timeline_for_customer(customer=customer, actor=org.east_rep)]
    assert any("我的商机" in title for title in titles)
    assert not any("同事商机" in title for title in titles)
    manager_titles = [e.title for e in timeline_for_customer(customer=customer, actor=org.manager)]
    assert any("同事商机" in title for title in manager_titles)
