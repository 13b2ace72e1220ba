"""The contact form (add on the customer page, edit on its own page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.custom_fields import add_custom_fields, custom_values_from
from guanxi.customers.forms.customer import style_widgets
from guanxi.customers.models import BirthdayCalendar, Contact, CustomField
from guanxi.customers.selectors import can_see_contact_details
from guanxi.platform.phones import display_phone

CONTACT_FIELDS = [
    "name",
    "title",
    "phones",
    "emails",
    "wechat_id",
    "is_primary",
    "birthday_calendar",
    "birthday",
    "lunar_birthday_month",
    "lunar_birthday_day",
    "lunar_birthday_is_leap_month",
    "notes",
]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    emails = forms.CharField(
        label=_("E-mails"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=100, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    birthday_calendar = forms.ChoiceField(
        label=_("Birthday calendar"),
        choices=BirthdayCalendar.choices,
        initial=BirthdayCalendar.SOLAR,
        required=False,
        widget=forms.RadioSelect(attrs={"x-model": "calendar"}),
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lunar_birthday_month = forms.IntegerField(
        label=_("Lunar month"), required=False, min_value=1, max_value=12
    )
    lunar_birthday_day = forms.IntegerField(
        label=_("Lunar day"), required=False, min_value=1, max_value=30
    )
    lunar_birthday_is_leap_month = forms.BooleanField(label=_("Leap month"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        actor: Any,
        custom_fields: list[CustomField],
        contact: Contact | None = None,
        prefix: str | None = None,
    ) -> None:
        initial: dict[str, Any] = {}
        if contact is not None:
            initial = {name: getattr(contact, name) for name in CONTACT_FIELDS}
            initial["phones"] = "\n".join(display_phone(p) for p in contact.phones)
            initial["emails"] = "\n".join(contact.emails)
            initial["version"] = contact.version
        super().__init__(data, initial=initial, prefix=prefix)
        self.is_create = contact is None
        # Editing an existing contact's numbers needs the right to see them in full.
        if not self.is_create and not can_see_contact_details(actor):
            del self.fields["phones"]
            del self.fields["emails"]
        add_custom_fields(
            self, custom_fields, initial=contact.custom_fields if contact is not None else None
        )
        if not self.is_create:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        values = {
            name: self.cleaned_data.get(name) for name in CONTACT_FIELDS if name in self.fields
        }
        values["birthday_calendar"] = values.get("birthday_calendar") or BirthdayCalendar.SOLAR
        values["custom_fields"] = custom_values_from(self.cleaned_data)
        return values
