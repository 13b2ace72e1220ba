"""Errors of the REST API as RFC 9457 problem+json, mapped once for every router.

Every error answer has the same shape:
    {"type", "title", "status", "detail", "errors": {field: [messages]}}
plus `current_version` on a 409. Messages are in the request's active language:
domain errors carry translated text already; pydantic's own messages (English
only) are replaced by Django's translated wording for the common error types.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from guanxi.platform.exceptions import (
    ApplicationError,
    ConflictError,
    NotFound,
    PermissionDenied,
    ValidationError,
)

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://guanxi.invalid/problems/"
# Parameter sources ninja puts first in a pydantic error location.
_LOCATION_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class ProblemOut(Schema):
    """An error answer (RFC 9457); `errors` maps a field to its messages."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] = {}
    current_version: int | None = None


def _titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Authentication required"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        412: _("Precondition failed"),
        422: _("Invalid input"),
        429: _("Too many requests"),
    }


def problem_response(
    *,
    status: int,
    code: str,
    detail: str,
    errors: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    import json

    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": str(_titles().get(status, _("Error"))),
        "status": status,
        "detail": str(detail),
        "errors": {key: [str(m) for m in messages] for key, messages in (errors or {}).items()},
    }
    body.update(extra or {})
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


# --- pydantic errors -> translated field messages ------------------------------


def _pydantic_message(error: dict[str, Any]) -> str:
    """Django's (translated) wording for common pydantic error types."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": context.get("max_length", "")}
    if kind == "too_long":
        return _("At most %(max)s values.") % {"max": context.get("max_length", "")}
    if kind in {"string_too_short", "too_short"}:
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"less_than_equal", "less_than", "greater_than_equal", "greater_than"}:
        bound = next(iter(context.values()), "")
        if kind.startswith("less"):
            return _("Ensure this value is less than or equal to %(limit_value)s.") % {
                "limit_value": bound
            }
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": bound
        }
    if kind in {
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }:
        return _("Enter a valid date.")
    if kind.startswith("datetime"):
        return _("Enter a valid date/time.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("“%(value)s” value must be either True or False.") % {
            "value": str(error.get("input", ""))[:50]
        }
    if kind in {"literal_error", "enum"}:
        return _("Select a valid choice. %(value)s is not one of the available choices.") % {
            "value": str(error.get("input", ""))[:50]
        }
    if kind in {"string_type", "list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("Enter a valid value.")
    return str(error.get("msg") or _("Enter a valid value."))


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in _LOCATION_SOURCES:
        parts = parts[1:]
        # Body errors carry the view's parameter name ("payload") next.
        if location[0] == "body" and parts:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def field_errors_from_pydantic(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        name = _field_name(error.get("loc") or ())
        message = _pydantic_message(error)
        if message not in result.setdefault(name, []):
            result[name].append(message)
    return result


# --- handlers ------------------------------------------------------------------


def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    extra: dict[str, Any] = {}
    detail = exc.message
    if isinstance(exc, ValidationError):
        errors = exc.field_errors
    if isinstance(exc, ConflictError):
        extra["current_version"] = exc.current_version
    if isinstance(exc, NotFound):
        # Selectors raise NotFound("customer"): say it in the user's language.
        detail = _("This record does not exist or you cannot see it.")
    if isinstance(exc, PermissionDenied) and not detail:
        detail = _("You do not have permission to do this.")
    return problem_response(
        status=exc.status_code, code=exc.code, detail=detail, errors=errors, extra=extra
    )


def _ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return problem_response(
        status=422,
        code="validation_error",
        detail=_("Please correct the errors below."),
        errors=field_errors_from_pydantic(list(exc.errors)),
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, AuthenticationError) or status == 401:
        response = problem_response(
            status=401,
            code="not_authenticated",
            detail=_("Sign in, or send “Authorization: Bearer <token>”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="guanxi"'
        return response
    if status == 400:
        return problem_response(
            status=400, code="bad_request", detail=_("The request body is not valid JSON.")
        )
    if status == 403:
        return problem_response(
            status=403,
            code="permission_denied",
            detail=_("CSRF verification failed. Request aborted.")
            if "CSRF" in str(exc)
            else _("You do not have permission to do this."),
        )
    return problem_response(status=status, code="http_error", detail=str(exc.message))


def _data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot hold (huge number, out-of-range date) is bad input."""
    logger.info("API input rejected by the database: %s", exc)
    return problem_response(
        status=422,
        code="validation_error",
        detail=_("A value is out of range."),
        errors={"__all__": [_("A value is out of range.")]},
    )


def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A model's full_clean() that a service let through: still field errors, not a 500."""
    wrapped = ValidationError.from_django(exc, _("Please correct the errors below."))
    return _application_error(request, wrapped)


def _integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    """A unique constraint lost a race with a concurrent request."""
    logger.info("API write refused by a database constraint: %s", exc)
    return problem_response(
        status=409,
        code="conflict",
        detail=_("This conflicts with a record saved at the same time. Try again."),
    )


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host: 400."""
    return problem_response(
        status=400, code="bad_request", detail=_("The request is too large or malformed.")
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        status=404, code="not_found", detail=_("This record does not exist or you cannot see it.")
    )


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ApplicationError, _application_error)
    api.add_exception_handler(NinjaValidationError, _ninja_validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(SuspiciousOperation, _suspicious)
    api.add_exception_handler(DjangoValidationError, _django_validation_error)
    api.add_exception_handler(IntegrityError, _integrity_error)
    api.add_exception_handler(DataError, _data_error)
    api.add_exception_handler(OverflowError, _data_error)


# Responses every operation declares (OpenAPI; schemathesis checks them).
READ_ERRORS: dict[int, type[Schema]] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    422: ProblemOut,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 409: ProblemOut}
