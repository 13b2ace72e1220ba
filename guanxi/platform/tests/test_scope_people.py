"""Whom and which teams an actor's data scope covers (platform.scoping): the one
answer the owner pickers, calendars, pool, lead rules and filter bars all use."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from guanxi.accounts.models import Team
from guanxi.accounts.services import role_create, user_create
from guanxi.platform.scoping import covers_team, is_own_scope, people_scope, team_scope

pytestmark = pytest.mark.django_db


def _people(actor: Any) -> set[str]:
    users = get_user_model().objects.filter(people_scope(actor), is_active=True)
    return set(users.values_list("username", flat=True))


def _teams(actor: Any) -> set[str]:
    return set(Team.objects.filter(team_scope(actor)).values_list("name", flat=True))


def _user_with_scope(org: Any, username: str, scope: str, team: Any) -> Any:
    role = role_create(
        actor=org.admin, code=f"r_{username}", name=username, data_scope=scope, permissions=[]
    )
    return user_create(actor=None, username=username, password="Pw-2026-x!", role=role, team=team)


def test_all_scope_covers_everybody_and_every_team(org: Any) -> None:
    everybody = set(
        get_user_model().objects.filter(is_active=True).values_list("username", flat=True)
    )
    assert _people(org.admin) == everybody
    assert _teams(org.admin) == set(Team.objects.values_list("name", flat=True))
    assert covers_team(org.admin, org.west) and covers_team(org.admin, None)
    assert not is_own_scope(org.admin)


def test_team_and_below_covers_the_sub_teams(org: Any) -> None:
    assert _people(org.manager) == {"manager", "east1", "east2", "west1"}
    assert _teams(org.manager) == {"销售部", "华东组", "华西组"}
    assert covers_team(org.manager, org.east)
    assert not covers_team(org.manager, org.service_team)
    assert not covers_team(org.manager, None)


def test_team_scope_covers_only_the_own_team(org: Any) -> None:
    lead = _user_with_scope(org, "eastlead", "team", org.east)
    assert _people(lead) == {"eastlead", "east1", "east2"}
    assert _teams(lead) == {"华东组"}
    assert covers_team(lead, org.east) and not covers_team(lead, org.sales_dept)


@pytest.mark.parametrize("scope", ["own", "team", "subtree"])
def test_own_scope_or_no_team_covers_only_the_actor(org: Any, scope: str) -> None:
    actor = org.east_rep if scope == "own" else _user_with_scope(org, f"lone{scope}", scope, None)
    assert is_own_scope(actor)
    assert _people(actor) == {actor.username}
    assert _teams(actor) == set()
    assert not covers_team(actor, org.east) and not covers_team(actor, None)
