"""How an API request proves who it is: a personal token, or the browser session.

- `Authorization: Bearer <token>`: a personal API token (accounts.services).
  The token's user becomes `request.user`, and their language is activated so
  messages come back in it (the language middleware ran before we knew them).
- The Django session: for the Swagger page and the app's own scripts; unsafe
  methods must carry the CSRF token like any form post.
A request that sends an Authorization header is judged by it alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from guanxi.accounts.services import api_token_authenticate

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _activate_language(request: HttpRequest, user: Any) -> None:
    language = getattr(user, "language", None)
    if language and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token.strip())
        if user is None:
            return None
        request.user = user
        request.api_token_key = token.strip()
        _activate_language(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """Django's session; CSRF checked only for a signed-in user's unsafe request."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def __call__(self, request: HttpRequest) -> Any:
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in _SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return self(request)


API_AUTH = [TokenAuth(), SessionAuth()]
