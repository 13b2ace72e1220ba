"""Form helpers shared by every app's views.

Forms only check shape; services do the real validation and raise
`ApplicationError`s. `apply_field_errors` puts a service's messages back on the
form so the user sees each one next to the field it is about.
"""

from __future__ import annotations

from django import forms
from django.forms.forms import NON_FIELD_ERRORS

from guanxi.platform.exceptions import ApplicationError, ValidationError

CUSTOM_FIELD_ERROR_PREFIX = "custom_fields."
CUSTOM_FIELD_FORM_PREFIX = "cf_"


def _form_field_name(form: forms.BaseForm, service_field: str) -> str | None:
    """The form field a service error key belongs to, or None (a non-field error).

    Services name custom-field errors "custom_fields.<key>"; forms built with
    customers.forms.custom_fields call those fields "cf_<key>".
    """
    if service_field in ("", "__all__", NON_FIELD_ERRORS):
        return None
    if service_field in form.fields:
        return service_field
    if service_field.startswith(CUSTOM_FIELD_ERROR_PREFIX):
        candidate = CUSTOM_FIELD_FORM_PREFIX + service_field[len(CUSTOM_FIELD_ERROR_PREFIX) :]
        if candidate in form.fields:
            return candidate
    return None


def apply_field_errors(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service error on `form`: field messages beside their fields, the rest on top.

    Works on bound and unbound forms. Messages for fields the form does not have
    become non-field errors (prefixed with the field's name) so nothing is lost;
    an error without field messages shows its main message as a non-field error.
    """
    # Make sure the form has been cleaned so `add_error` has somewhere to write.
    form.errors  # noqa: B018 - property access triggers full_clean()
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    field_errors = error.field_errors if isinstance(error, ValidationError) else {}
    placed_any = False
    for service_field, messages in field_errors.items():
        target = _form_field_name(form, service_field)
        for message in messages:
            if target is None and service_field not in ("", "__all__", NON_FIELD_ERRORS):
                label = service_field.removeprefix(CUSTOM_FIELD_ERROR_PREFIX)
                form.add_error(None, f"{label}: {message}")
            else:
                form.add_error(target, message)
            placed_any = True
    if not placed_any:
        form.add_error(None, error.message)
