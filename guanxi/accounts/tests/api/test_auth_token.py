"""POST /api/v1/auth/token, Bearer and session authentication, `me`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from guanxi.conftest import PASSWORD
from guanxi.platform.testing.api_client import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_token_flow_gives_a_working_bearer_token(org: Any) -> None:
    response = _login(Client(), "east1", PASSWORD)
    assert response.status_code == 200, response.content
    key = response.json()["token"]

    me = ApiClient(key).get("/api/v1/me")

    assert me.status_code == 200
    body = me.json()
    assert body["username"] == "east1"
    assert body["role"] == "sales"
    assert body["data_scope"] == "own"
    assert "customers.view_customer" in body["permissions"]
    assert "accounts.manage_user" not in body["permissions"]


def test_token_is_named_and_stored_hashed(org: Any) -> None:
    from guanxi.accounts.selectors import api_token_list

    key = _login(Client(), "east1", PASSWORD).json()["token"]

    tokens = list(api_token_list(actor=org.east_rep, user=org.east_rep))
    assert len(tokens) == 1
    assert tokens[0].name.startswith("API login ")
    assert key not in tokens[0].key_hash


def test_wrong_password_is_401_problem(org: Any) -> None:
    body = assert_problem(_login(Client(), "east1", "wrong-password"), 401)
    assert body["detail"]


def test_unknown_user_is_401_problem(org: Any) -> None:
    assert_problem(_login(Client(), "nobody", "whatever"), 401)


def test_repeated_failures_lock_out_even_the_right_password(org: Any, settings: Any) -> None:
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "east2", "wrong-password")

    response = _login(client, "east2", PASSWORD)

    assert_problem(response, 429)


def test_revoked_token_is_401(org: Any) -> None:
    from guanxi.accounts.selectors import api_token_list
    from guanxi.accounts.services import api_token_revoke

    key = _login(Client(), "east1", PASSWORD).json()["token"]
    token = api_token_list(actor=org.east_rep, user=org.east_rep).get()
    api_token_revoke(actor=org.east_rep, token=token)

    assert_problem(ApiClient(key).get("/api/v1/me"), 401)


def test_delete_auth_token_revokes_the_token_in_use(org: Any) -> None:
    key = _login(Client(), "east1", PASSWORD).json()["token"]
    other = _login(Client(), "east1", PASSWORD).json()["token"]
    api = ApiClient(key)

    assert api.delete(TOKEN_URL).status_code == 204

    assert_problem(api.get("/api/v1/me"), 401)
    assert ApiClient(other).get("/api/v1/me").status_code == 200


def test_delete_auth_token_under_session_auth_is_422(org: Any) -> None:
    client = Client()
    client.force_login(org.east_rep)
    assert_problem(client.delete(TOKEN_URL), 422)


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer gx_forged", "Basic Zm9vOmJhcg==", ""]
)
def test_bad_authorization_is_401(org: Any, header: str) -> None:
    response = Client().get("/api/v1/customers", headers={"Authorization": header})
    assert_problem(response, 401)


def test_inactive_users_token_is_401(org: Any, api_as: Any) -> None:
    from guanxi.accounts.services import user_update

    api = api_as(org.west_rep)
    user_update(actor=org.admin, user=org.west_rep, is_active=False)

    assert_problem(api.get("/api/v1/me"), 401)


def test_session_auth_works_and_unsafe_methods_need_csrf(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)

    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/tags", {"name": "VIP"}, content_type="application/json")
    assert_problem(response, 403)

    client.get("/api/docs")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/tags",
        {"name": "VIP"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content


def test_messages_follow_the_token_users_language(org: Any, api_as: Any) -> None:
    from guanxi.accounts.services import user_update

    user_update(actor=org.admin, user=org.east_rep, language="en")
    english = api_as(org.east_rep).post("/api/v1/customers", {"name": ""})
    chinese = api_as(org.east_rep2).post("/api/v1/customers", {"name": ""})

    assert english.json()["errors"]["name"] == ["This field is required."]
    assert chinese.json()["errors"]["name"] == ["这个字段是必填项。"]


def test_docs_page_uses_local_swagger_files(client: Client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    # No asset from another host (a CDN or anything else); the page's random CSRF
    # token may itself contain the letters "cdn", so look at src/href/url only.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"""url\s*:\s*["'](?:https?:)?//""", html)
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
