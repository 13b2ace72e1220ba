"""The pieces the order and quote forms share: customer and owner choices, the lines
editor's JSON, splitting a service's errors between the header form and the lines,
products choosable on a document, and the "someone else saved first" rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.http import HttpRequest, JsonResponse

from guanxi.accounts.selectors import user_list
from guanxi.customers.selectors import customer_list
from guanxi.customers.views.pickers import customer_picker_json
from guanxi.platform.exceptions import ApplicationError, ConflictError, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import require_page_permission
from guanxi.sales import selectors

CUSTOMER_CHOICES = 50

LineErrors = dict[int, dict[str, list[str]]]


def owners(request: HttpRequest) -> list[Any]:
    return list(user_list(actor=request.user, is_active=True))


def customer_choices(request: HttpRequest, selected: Any) -> list[Any]:
    """Recently updated customers in scope, plus the selected one."""
    customers = list(
        customer_list(actor=request.user).order_by("-updated_at", "-id")[:CUSTOMER_CHOICES]
    )
    if selected is not None and all(c.pk != selected.pk for c in customers):
        customers.insert(0, selected)
    return customers


def customer_options(request: HttpRequest, permission: str) -> JsonResponse:
    """Customers in scope matching `q`, for a form's customer picker."""
    require_page_permission(request, permission)
    return customer_picker_json(request)


def line_errors(error: ApplicationError) -> tuple[LineErrors, list[str]]:
    """Split "lines.<i>.<field>" messages from the rest; "lines" itself is document-wide."""
    per_line: LineErrors = {}
    document_wide: list[str] = []
    if isinstance(error, ValidationError):
        for key in list(error.field_errors):
            parts = key.split(".")
            if parts[0] != "lines":
                continue
            messages_ = error.field_errors.pop(key)
            if len(parts) == 3 and parts[1].isdigit():
                per_line.setdefault(int(parts[1]), {})[parts[2]] = messages_
            else:
                document_wide.extend(messages_)
    return per_line, document_wide


def split_errors(form: forms.Form, error: ApplicationError) -> tuple[LineErrors, list[str]]:
    """Line errors for the lines editor; the rest (or a non-validation error) on the form."""
    per_line, document_wide = line_errors(error)
    if (
        not isinstance(error, ValidationError)
        or error.field_errors
        or not (per_line or document_wide)
    ):
        apply_field_errors(form, error)
    return per_line, document_wide


def lines_context(
    lines: list[dict[str, str]],
    errors: LineErrors,
    message: list[str],
    *,
    fields: Iterable[str],
) -> dict[str, Any]:
    """The lines editor's template context: its rows as JSON (with each row's errors)."""
    rows = [
        {**{name: line.get(name, "") for name in fields}, "errors": errors.get(index, {})}
        for index, line in enumerate(lines)
    ]
    return {
        "lines_json": json.dumps(rows, ensure_ascii=False),
        "lines_message": message,
        "has_line_errors": bool(errors or message),
    }


def choosable_products(request: HttpRequest, document: Any) -> list[Any]:
    """Products on sale, plus those no longer sold that are on the document's lines
    (they stay choosable on the document they are on)."""
    products = selectors.product_choices(actor=request.user)
    if document is not None:
        known = {p.pk for p in products}
        for line in document.lines.all():
            if line.product_id and line.product_id not in known:
                products.append(line.product)
                known.add(line.product_id)
    return products


def conflict_rows(form: forms.Form, current: dict[str, Any]) -> list[dict[str, str]]:
    """Header fields where the stored document differs from what was submitted."""
    rows = []
    submitted = getattr(form, "cleaned_data", {})
    for name, stored in current.items():
        if name not in form.fields:
            continue
        mine = submitted.get(name)
        shown_mine = "" if mine is None else str(mine)
        shown_theirs = "" if stored is None else str(stored)
        if shown_mine != shown_theirs:
            field = form.fields[name]
            choices = dict(getattr(field, "choices", []) or [])
            rows.append(
                {
                    "label": str(field.label),
                    "theirs": str(choices.get(stored, shown_theirs) or "—"),
                    "yours": str(choices.get(mine, shown_mine) or "—"),
                }
            )
    return rows


def conflict_retry(
    request: HttpRequest, form: Any, build: Callable[[Any], Any], error: ConflictError
) -> tuple[Any, dict[str, Any]]:
    """After a version conflict: what differs, and the form rebuilt on the stored
    version so that saving again overwrites knowingly."""
    conflict = {"message": error.message, "rows": conflict_rows(form, error.current_values)}
    data = request.POST.copy()
    data["version"] = str(error.current_version)
    form = build(data)
    form.is_valid()
    return form, conflict
