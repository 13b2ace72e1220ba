"""The signed-in user arrives with the team and role that scoping and permissions read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user
from django.test import RequestFactory


def test_signed_in_user_is_loaded_with_team_and_role_in_one_query(
    org: Any, client: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(org.east_rep)
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session.get("_auth_user_id")  # the session row is read here
    with django_assert_num_queries(1):
        user = get_user(request)
        assert user.pk == org.east_rep.pk
        assert user.team.name == org.east.name
        assert user.role.pk == org.east_rep.role_id


def test_deactivated_user_is_signed_out(org: Any, client: Any) -> None:
    client.force_login(org.east_rep)
    org.east_rep.is_active = False
    org.east_rep.save(update_fields=["is_active"])
    assert client.get("/customers/").status_code == 302
