"""Domain errors raised by services; views and the API turn them into messages / 4xx.

Every error the application raises on purpose subclasses ApplicationError so the
API's problem+json handler and the views' error rendering need one branch each.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request that cannot be carried out, with a message fit for the user."""

    status_code = 400
    code = "application_error"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}


class ValidationError(ApplicationError):
    """Input that fails validation; `field_errors` maps a field to its messages."""

    status_code = 422
    code = "validation_error"

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, extra=extra)
        self.field_errors = {k: [str(m) for m in v] for k, v in (field_errors or {}).items()}

    @classmethod
    def from_django(cls, error: Any, message: str) -> ValidationError:
        """Wrap a django.core.exceptions.ValidationError, keeping per-field messages."""
        if hasattr(error, "message_dict"):
            field_errors = {
                ("__all__" if key == "__all__" else key): [str(m) for m in messages]
                for key, messages in error.message_dict.items()
            }
        else:
            field_errors = {"__all__": [str(m) for m in error.messages]}
        return cls(message, field_errors=field_errors)


class ConflictError(ApplicationError):
    """The record changed since the caller read it (stale `version`)."""

    status_code = 409
    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        current_version: int,
        current_values: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, extra={"current_version": current_version})
        self.current_version = current_version
        self.current_values = current_values or {}


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"


class NotFound(ApplicationError):
    """Also raised for records outside the actor's scope: not-found equals forbidden."""

    status_code = 404
    code = "not_found"
