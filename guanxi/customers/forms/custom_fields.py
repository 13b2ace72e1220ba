"""Form fields built from admin-defined custom fields (for edit forms and filters).

Form field names are "cf_<key>"; `custom_values_from` collects them back into
the {key: value} dict the services take.
"""

from __future__ import annotations

from typing import Any

from django import forms

from guanxi.customers.models import CustomField, CustomFieldType

PREFIX = "cf_"


def form_field_for(definition: CustomField, *, for_filter: bool = False) -> forms.Field:
    label = definition.label
    required = definition.is_required and not for_filter
    choices = [(c, c) for c in definition.choices]
    kind = definition.field_type
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(label=label, required=required, max_digits=20, decimal_places=6)
    if kind == CustomFieldType.DATE:
        return forms.DateField(
            label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
        )
    if kind == CustomFieldType.CHOICE or (kind == CustomFieldType.MULTI_CHOICE and for_filter):
        return forms.ChoiceField(label=label, required=required, choices=[("", "—"), *choices])
    if kind == CustomFieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            label=label,
            required=required,
            choices=choices,
            widget=forms.SelectMultiple(attrs={"data-tom-select": ""}),
        )
    return forms.CharField(label=label, required=required, max_length=1000)


def add_custom_fields(
    form: forms.BaseForm,
    definitions: list[CustomField],
    *,
    initial: dict[str, Any] | None = None,
    for_filter: bool = False,
) -> None:
    for definition in definitions:
        name = PREFIX + definition.key
        form.fields[name] = form_field_for(definition, for_filter=for_filter)
        if initial and definition.key in initial:
            form.initial[name] = initial[definition.key]


def custom_values_from(cleaned_data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in cleaned_data.items():
        if name.startswith(PREFIX):
            values[name[len(PREFIX) :]] = (
                value.isoformat()
                if hasattr(value, "isoformat")
                else (
                    str(value) if value is not None and not isinstance(value, list | str) else value
                )
            )
    return values
