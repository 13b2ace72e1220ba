"""Helpers the accounts views share: the permission guard and conflict display."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from guanxi.platform.exceptions import ConflictError
from guanxi.platform.permissions import has_permission

ViewFunc = Callable[..., HttpResponse]


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/permission_denied.html", status=403)


def permission_required(code: str) -> Callable[[ViewFunc], ViewFunc]:
    """Signed-out → login page; signed in without `code` → the 403 page."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_permission(request.user, code):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if value in (None, ""):
        return None
    return value


def conflict_rows(
    form: forms.Form,
    error: ConflictError,
    *,
    show: dict[str, Callable[[Any], str]] | None = None,
) -> list[tuple[str, str, str]]:
    """(label, your value, their value) for each field the other edit changed
    differently. `show` turns stored values (ids) into readable text per field."""
    show = show or {}
    cleaned = getattr(form, "cleaned_data", {}) or {}
    rows = []
    for name, theirs in error.current_values.items():
        if name not in form.fields or name == "version":
            continue
        yours = cleaned.get(name, form.data.get(name))
        if str(_plain(yours)) == str(_plain(theirs)):
            continue
        to_text = show.get(name, lambda value: "" if value is None else str(value))
        yours_text = str(yours) if isinstance(yours, models.Model) else to_text(_plain(yours))
        rows.append((str(form.fields[name].label), yours_text, to_text(_plain(theirs))))
    return rows


def with_version(data: QueryDict, version: int) -> QueryDict:
    """The submitted data with the record's current version, so the user can review
    the other edit and save again on purpose."""
    updated = data.copy()
    updated["version"] = str(version)
    return updated
