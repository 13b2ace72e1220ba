"""Forms for the tag and custom-field settings screens (shape only; services validate)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import CustomFieldTarget, CustomFieldType, TagGroup
from guanxi.customers.selectors import tag_group_list


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        elif getattr(widget, "input_type", "") == "color":
            css = "form-control form-control-color"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class TagGroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TagGroup) -> str:
        return obj.name


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    color = forms.CharField(
        label=_("Colour"),
        max_length=7,
        initial="#206bc4",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    group = TagGroupChoiceField(
        label=_("Tag group"), queryset=None, required=False, empty_label=_("No group")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = tag_group_list()
        _style(self)


class TagGroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=50)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1_000_000, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        _style(self)


class ChoicesField(forms.CharField):
    """Choices typed one per line -> a list of non-empty, stripped strings."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class CustomFieldForm(forms.Form):
    """Create and edit a custom field. Target and key are fixed once created."""

    target = forms.ChoiceField(label=_("Applies to"), choices=CustomFieldTarget.choices)
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        help_text=_("Letters, digits, - and _; used in imports, exports and the API."),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = ChoicesField(
        label=_("Choices"),
        required=False,
        max_length=5000,
        help_text=_("For single and multiple choice: one choice per line."),
    )
    is_required = forms.BooleanField(label=_("Required"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1_000_000, initial=0)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, is_update: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.is_update = is_update
        self.fields["order"].required = False
        if is_update:
            # Stored values refer to target and key: they cannot change.
            del self.fields["target"]
            del self.fields["key"]
        else:
            # A new field is always active (the service creates it so).
            del self.fields["is_active"]
        _style(self)
