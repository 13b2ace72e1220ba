"""Helpers for API tests: a Django test client that sends a user's Bearer token.

The `api_as` fixture is registered in guanxi/conftest.py for every app's tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


class ApiClient:
    """Thin JSON wrapper around django.test.Client with `Authorization: Bearer`."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("patch", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)


def token_for(user: Any) -> str:
    from guanxi.accounts.services import api_token_create

    _token, key = api_token_create(actor=user, user=user, name="tests")
    return key


@pytest.fixture
def api_as() -> Callable[[Any], ApiClient]:
    """`api_as(user)` -> an ApiClient authenticated as that user (None: anonymous)."""
    return lambda user: ApiClient(token_for(user) if user is not None else None)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    return body
