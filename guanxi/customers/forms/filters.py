"""GET filter forms for the customer and contact lists, and the bulk-action form.

The forms only check shape. A value that does not parse (a date like
2024-13-45, an owner "abc") becomes a field error and that one filter is left
out, so a bad URL never breaks the list.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import team_list, user_list
from guanxi.customers.forms.custom_fields import add_custom_fields, custom_values_from
from guanxi.customers.models import CustomFieldTarget, Grade, LifecycleStage
from guanxi.customers.selectors import (
    ContactFilter,
    CustomerFilter,
    custom_field_definitions,
    tag_list,
)
from guanxi.customers.services import BULK_ACTIONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class SearchInput(forms.TextInput):
    input_type = "search"


def style_widgets(form: forms.BaseForm) -> None:
    """Small Tabler inputs: the filter bar has many of them."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.MultipleHiddenInput):
            continue
        css = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else ("form-control form-control-sm")
        )
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name or obj.username)


class _ListFilterForm(forms.Form):
    """Shared behaviour: every field optional, custom fields appended."""

    custom_field_target: str = ""

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            field.required = False
        add_custom_fields(self, custom_field_definitions(self.custom_field_target), for_filter=True)
        style_widgets(self)
        self.fields["q"].widget.attrs.update(
            {
                "class": "form-control",
                "placeholder": _("Name, pinyin, phone, e-mail…"),
            }
        )

    @property
    def custom_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("cf_")]

    def valid_data(self) -> dict[str, Any]:
        """The cleaned values of the fields that parsed; invalid ones are left out."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}) or {}

    def custom_filters(self, data: dict[str, Any]) -> dict[str, str]:
        return {
            key: str(value)
            for key, value in custom_values_from(data).items()
            if value not in (None, "", [])
        }


class CustomerFilterForm(_ListFilterForm):
    custom_field_target = CustomFieldTarget.CUSTOMER

    q = forms.CharField(label=_("Search"), max_length=200, widget=SearchInput)
    owner = UserChoiceField(label=_("Owner"), queryset=None, empty_label=_("Any owner"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=_("Any team"))
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=None, empty_label=_("Any tag"))
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", _("Any grade")), *Grade.choices])
    stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=[("", _("Any stage")), *LifecycleStage.choices]
    )
    source = forms.CharField(label=_("Source"), max_length=100)
    created_from = forms.DateField(label=_("Created from"), widget=DATE_WIDGET)
    created_to = forms.DateField(label=_("Created to"), widget=DATE_WIDGET)
    updated_from = forms.DateField(label=_("Updated from"), widget=DATE_WIDGET)
    updated_to = forms.DateField(label=_("Updated to"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["owner"].queryset = user_list(actor=actor)
        self.fields["team"].queryset = team_list(actor=actor)
        self.fields["tag"].queryset = tag_list()

    def to_filter(self) -> CustomerFilter:
        data = self.valid_data()

        def pk_of(name: str) -> int | None:
            value = data.get(name)
            return value.pk if value is not None else None

        return CustomerFilter(
            q=(data.get("q") or "").strip(),
            owner=pk_of("owner"),
            team=pk_of("team"),
            tag=pk_of("tag"),
            grade=data.get("grade") or "",
            stage=data.get("stage") or "",
            source=(data.get("source") or "").strip(),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            updated_from=data.get("updated_from"),
            updated_to=data.get("updated_to"),
            custom=self.custom_filters(data),
        )


class ContactFilterForm(_ListFilterForm):
    custom_field_target = CustomFieldTarget.CONTACT

    q = forms.CharField(label=_("Search"), max_length=200, widget=SearchInput)
    owner = UserChoiceField(label=_("Customer owner"), queryset=None, empty_label=_("Any owner"))
    created_from = forms.DateField(label=_("Created from"), widget=DATE_WIDGET)
    created_to = forms.DateField(label=_("Created to"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["owner"].queryset = user_list(actor=actor)

    def to_filter(self) -> ContactFilter:
        data = self.valid_data()
        owner = data.get("owner")
        return ContactFilter(
            q=(data.get("q") or "").strip(),
            owner=owner.pk if owner is not None else None,
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            custom=self.custom_filters(data),
        )


class IdListField(forms.Field):
    """Many checkboxes of the same name -> a list of ints."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("Invalid selection.")}

    def to_python(self, value: Any) -> list[int]:
        if value in (None, "", []):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


class BulkActionForm(forms.Form):
    """Which customers, what to do with them. The service validates the rest."""

    ids = IdListField(label=_("Selection"), required=False)
    action = forms.ChoiceField(label=_("Action"))
    tags = forms.ModelMultipleChoiceField(label=_("Tags"), queryset=None, required=False)
    owner = UserChoiceField(
        label=_("New owner"), queryset=None, required=False, empty_label=_("New owner…")
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, actor: Any, can_assign: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = dict(BULK_ACTIONS)
        if not can_assign:
            actions.pop("assign", None)
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = user_list(actor=actor)
        self.fields["action"].choices = [("", _("Choose an action…")), *actions.items()]
        self.fields["tags"].queryset = tag_list()
        self.fields["tags"].widget.attrs.update(
            {"data-tom-select": "", "placeholder": _("Tags…"), "aria-label": _("Tags")}
        )
        self.fields["action"].widget.attrs["aria-label"] = _("Action")
        style_widgets(self)

    def service_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params: dict[str, Any] = {}
        if data.get("tags"):
            params["tags"] = [tag.pk for tag in data["tags"]]
        if data.get("owner") is not None:
            params["owner"] = data["owner"].pk
        return params
