"""Who sees which lead (the leak test, STYLE rule 13), for every built-in role:
owned leads by owner/team scope, unowned (pool) leads of one's own team or of
nobody's team for viewing only; out of scope is 404 for get, change and convert."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.leads import selectors, services
from guanxi.leads.tests.factories import make_lead
from guanxi.notifications.models import Notification
from guanxi.platform.exceptions import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(org: Any) -> dict[str, Any]:
    return {
        "east1": make_lead(actor=org.east_rep, name="east1的"),
        "east2": make_lead(actor=org.east_rep2, name="east2的"),
        "west1": make_lead(actor=org.west_rep, name="west1的"),
        "east_pool": services.lead_create(actor=org.east_rep, name="华东公海"),
        "west_pool": services.lead_create(actor=org.west_rep, name="华西公海"),
        "company_pool": services.lead_create(actor=org.admin, name="公司公海"),
    }


def _names(actor: Any, action: str = "view") -> set[str]:
    return {lead.name for lead in selectors.lead_list(actor=actor, action=action)}


def test_view_matrix(org: Any, leads: dict[str, Any]) -> None:
    every = {lead.name for lead in leads.values()}
    assert leads["company_pool"].team == org.hq  # the team defaults to the creator's
    assert _names(org.admin) == every
    assert _names(org.manager) >= {"east1的", "east2的", "west1的", "华东公海", "华西公海"}
    assert _names(org.east_rep) >= {"east1的", "华东公海"}
    assert _names(org.east_rep) & {"east2的", "west1的", "华西公海"} == set()
    assert _names(org.west_rep) & {"east1的", "east2的", "华东公海"} == set()
    assert "west1的" in _names(org.west_rep) and "华西公海" in _names(org.west_rep)


def test_team_less_pool_is_everyones(org: Any) -> None:
    lead = services.lead_create(actor=org.admin, name="无团队公海")
    lead.team = None  # its team was deleted (SET_NULL): the company-wide pool
    lead.save(update_fields=["team"])
    assert "无团队公海" in _names(org.east_rep)
    assert "无团队公海" in _names(org.west_rep)
    assert "无团队公海" not in _names(org.east_rep, action="change")


def test_change_and_convert_need_the_ordinary_scope(org: Any, leads: dict[str, Any]) -> None:
    assert _names(org.east_rep, "change") == {"east1的"}
    assert _names(org.east_rep, "convert") == {"east1的"}
    for key in ("east2", "west1", "east_pool"):
        with pytest.raises(NotFound):
            selectors.lead_get(actor=org.east_rep, lead_id=leads[key].pk, action="change")
    for key in ("east2", "west1", "west_pool"):
        with pytest.raises(NotFound):
            selectors.lead_get(actor=org.east_rep, lead_id=leads[key].pk)
    assert {"华东公海", "east2的"} <= _names(org.manager, "change")


def test_service_agent_sees_all_but_cannot_convert(org: Any, leads: dict[str, Any]) -> None:
    assert _names(org.service_agent) == {lead.name for lead in leads.values()}
    assert _names(org.service_agent, "convert") == set()


def test_garbage_ids_are_404(org: Any) -> None:
    for value in ("abc", None, 0, -1, 2**70, "1e3"):
        with pytest.raises(NotFound):
            selectors.lead_get(actor=org.admin, lead_id=value)


def test_deleted_leads_are_hidden(org: Any, leads: dict[str, Any]) -> None:
    services.lead_delete(actor=org.east_rep, lead=leads["east1"])
    assert "east1的" not in _names(org.east_rep)
    assert selectors.lead_get_deleted(actor=org.east_rep, lead_id=leads["east1"].pk)
    with pytest.raises(NotFound):
        selectors.lead_get_deleted(actor=org.west_rep, lead_id=leads["east1"].pk)


def test_new_owner_is_notified(org: Any) -> None:
    services.assignment_rule_save(
        actor=org.admin, team=org.east, method="round_robin", members=[org.east_rep2.pk]
    )
    lead = services.lead_create(actor=org.east_rep, name="规则分配", company="某公司")
    assert lead.owner == org.east_rep2
    note = Notification.objects.get(recipient=org.east_rep2)
    assert note.kind == "leads.assigned"
    assert "规则分配" in note.title
    assert note.url.endswith(f"/leads/{lead.pk}/")
    make_lead(actor=org.east_rep)  # one's own lead: no notification
    assert not Notification.objects.filter(recipient=org.east_rep).exists()
