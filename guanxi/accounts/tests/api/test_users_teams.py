"""Users and teams over the API: everyone reads the directory, admins change it."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.platform.testing.api_client import assert_problem

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "newrep",
    "password": "A-long-enough-pw-2026",
    "display_name": "新销售",
    "role": "sales",
}


def _user_count() -> int:
    from guanxi.accounts.models import User

    return User.objects.count()


def test_admin_creates_a_user_with_role_code_and_team(org: Any, api_as: Any) -> None:
    api = api_as(org.admin)

    response = api.post("/api/v1/users", {**NEW_USER, "team": org.east.pk})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "sales"
    assert body["team"] == org.east.pk
    assert body["display_name"] == "新销售"
    # The new user can sign in and sees only their own (empty) book.
    from django.test import Client

    token = Client().post(
        "/api/v1/auth/token",
        {"username": "newrep", "password": NEW_USER["password"]},
        content_type="application/json",
    )
    assert token.status_code == 200


@pytest.mark.parametrize("role", ["manager", "east_rep", "west_rep", "service_agent"])
def test_non_admins_cannot_create_or_edit_users(org: Any, api_as: Any, role: str) -> None:
    api = api_as(getattr(org, role))
    before = _user_count()

    assert_problem(api.post("/api/v1/users", {**NEW_USER, "team": org.east.pk}), 403)
    assert_problem(api.patch(f"/api/v1/users/{org.east_rep2.pk}", {"role": "admin"}), 403)
    assert_problem(api.post("/api/v1/teams", {"name": "黑客组"}), 403)

    assert _user_count() == before
    org.east_rep2.refresh_from_db()
    assert org.east_rep2.role.code == "sales"


def test_a_user_may_edit_their_own_display_name_but_not_role(org: Any, api_as: Any) -> None:
    api = api_as(org.east_rep)

    ok = api.patch(f"/api/v1/users/{org.east_rep.pk}", {"display_name": "张三丰"})
    assert ok.status_code == 200, ok.content
    assert ok.json()["display_name"] == "张三丰"
    assert_problem(api.patch(f"/api/v1/users/{org.east_rep.pk}", {"role": "admin"}), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_USER, "role": "nope"}, "role"),
        ({**NEW_USER, "team": 999999}, "team"),
        ({**NEW_USER, "username": "east1"}, "username"),
        ({**NEW_USER, "password": "123"}, "password"),
        ({**NEW_USER, "username": "x" * 10000}, "username"),
        ({**NEW_USER, "is_superuser": True}, "is_superuser"),
        ({**NEW_USER, "team": 2**80}, "team"),
    ],
)
def test_bad_user_input_is_422_with_field_errors(
    org: Any, api_as: Any, body: dict, field: str
) -> None:
    before = _user_count()

    problem = assert_problem(api_as(org.admin).post("/api/v1/users", body), 422)

    assert field in problem["errors"], problem
    assert _user_count() == before


def test_user_patch_with_stale_version_is_409(org: Any, api_as: Any) -> None:
    api = api_as(org.admin)
    url = f"/api/v1/users/{org.west_rep.pk}"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"display_name": "一"}, **{"If-Match": etag}).status_code == 200

    problem = assert_problem(api.patch(url, {"display_name": "二"}, **{"If-Match": etag}), 409)

    assert problem["current_version"] == org.west_rep.version + 1
    assert api.get(url).json()["display_name"] == "一"


def test_team_round_trip(org: Any, api_as: Any) -> None:
    api = api_as(org.admin)

    created = api.post("/api/v1/teams", {"name": "华南组", "parent": org.sales_dept.pk})
    assert created.status_code == 201, created.content
    team = created.json()
    assert team["path"].startswith(org.sales_dept.path)

    url = f"/api/v1/teams/{team['id']}"
    assert api.get(url).json()["name"] == "华南组"
    renamed = api.patch(url, {"name": "华南大区", "manager": org.manager.pk})
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["manager"] == org.manager.pk
    assert any(t["id"] == team["id"] for t in api.get("/api/v1/teams").json()["items"])

    assert api.delete(url).status_code == 204
    assert_problem(api.get(url), 404)


def test_team_cannot_move_under_its_own_subtree(org: Any, api_as: Any) -> None:
    problem = assert_problem(
        api_as(org.admin).patch(f"/api/v1/teams/{org.sales_dept.pk}", {"parent": org.east.pk}),
        422,
    )
    assert "parent" in problem["errors"]


def test_non_empty_team_cannot_be_deleted(org: Any, api_as: Any) -> None:
    assert_problem(api_as(org.admin).delete(f"/api/v1/teams/{org.east.pk}"), 422)


def test_everyone_can_read_the_directory(org: Any, api_as: Any) -> None:
    api = api_as(org.service_agent)

    users = api.get("/api/v1/users").json()["items"]
    teams = api.get("/api/v1/teams").json()["items"]

    assert {u["username"] for u in users} >= {"boss", "east1", "west1"}
    assert len(teams) == 5
