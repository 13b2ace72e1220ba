"""The follow-up (跟进记录) form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.customer import style_widgets
from guanxi.customers.models import Contact, Interaction, InteractionKind

# Far-away years overflow when converted to UTC for the database.
MIN_YEAR, MAX_YEAR = 1900, 2200
TIME_OUT_OF_RANGE = _("Enter a date between 1900 and 2200.")
INTERACTION_FIELDS = ["kind", "occurred_at", "contact", "content", "next_follow_up_on"]


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=InteractionKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contact = forms.TypedChoiceField(
        label=_("Contact"), required=False, coerce=int, empty_value=None
    )
    content = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_follow_up_on = forms.DateField(
        label=_("Next follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        contacts: list[Contact],
        interaction: Interaction | None = None,
    ) -> None:
        if interaction is None:
            initial: dict[str, Any] = {
                "kind": InteractionKind.CALL,
                "occurred_at": timezone.localtime().replace(second=0, microsecond=0),
            }
        else:
            initial = {name: getattr(interaction, name) for name in INTERACTION_FIELDS}
            initial["occurred_at"] = timezone.localtime(interaction.occurred_at)
            initial["contact"] = interaction.contact_id
            initial["version"] = interaction.version
        super().__init__(data, initial=initial)
        self.fields["contact"].choices = [("", "—")] + [
            (contact.pk, f"{contact.name} · {contact.title}" if contact.title else contact.name)
            for contact in contacts
        ]
        if interaction is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def clean_occurred_at(self) -> dt.datetime:
        value = self.cleaned_data["occurred_at"]
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(TIME_OUT_OF_RANGE)
        return value

    def clean_next_follow_up_on(self) -> dt.date | None:
        value = self.cleaned_data.get("next_follow_up_on")
        if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise forms.ValidationError(TIME_OUT_OF_RANGE)
        return value

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in INTERACTION_FIELDS}
