"""Where a write came from (IP, user agent), carried to services for the audit log.

Services take `actor` explicitly; the network origin is ambient and set once per
request by RequestContextMiddleware (web and API alike), so service signatures do
not have to thread it through. CLI and jobs leave it empty.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip: str | None = None
    user_agent: str = ""


_origin: ContextVar[RequestOrigin] = ContextVar("guanxi_request_origin", default=RequestOrigin())  # noqa: B039 - frozen


def current_origin() -> RequestOrigin:
    return _origin.get()


def set_origin(origin: RequestOrigin):
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)
