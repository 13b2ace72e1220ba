"""The customer create/edit form and the transfer form.

The form only checks shape (types, lengths, known choices); the services
normalise phones, sanitise notes and validate custom fields, and their
`ValidationError.field_errors` are put back on the form by the view.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import team_list, user_list
from guanxi.customers.forms.custom_fields import add_custom_fields, custom_values_from
from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import (
    BirthdayCalendar,
    Channel,
    Customer,
    CustomerKind,
    CustomField,
    Grade,
    LifecycleStage,
)
from guanxi.customers.permissions import TRANSFER_CUSTOMERS
from guanxi.customers.selectors import can_see_contact_details, tag_list
from guanxi.customers.services._common import as_list
from guanxi.customers.services.customers import EDITABLE_FIELDS
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.phones import InvalidPhone, display_phone, normalize_phone
from guanxi.platform.text import sanitize_html

DATETIME_FIELDS = {"occurred_at"}
BLANK = [("", "—")]
TIME_ZONES = sorted(zoneinfo.available_timezones())
# Contact fields on the create form: form field -> contact_create keyword.
FIRST_CONTACT_FIELDS = {
    "contact_name": "name",
    "contact_title": "title",
    "contact_phones": "phones",
    "contact_emails": "emails",
}
FORM_SECTIONS = {
    "basic": ["kind", "name", "short_name", "industry", "source", "grade", "lifecycle_stage"],
    "ownership": ["owner", "team", "tags"],
    "reach": ["phones", "emails", "wechat_id", "preferred_channel", "language", "time_zone"],
    "address": ["province", "city", "district", "street"],
    "birthday": [
        "birthday_calendar",
        "birthday",
        "lunar_birthday_month",
        "lunar_birthday_day",
        "lunar_birthday_is_leap_month",
    ],
}
CONTACT_NAME_REQUIRED = _("Enter the contact's name, or leave all contact fields empty.")


def _lines(values: list[str] | None) -> str:
    return "\n".join(values or [])


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget its Tabler/Bootstrap class (forms are rendered field by field)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


# The service's editable fields that this form edits directly (owner and team
# only with the transfer permission, custom fields through cf_<key>).
FORM_FIELDS = [name for name in EDITABLE_FIELDS if name not in {"owner", "team", "custom_fields"}]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CustomerForm(forms.Form):
    """Every editable customer field (services.customers.EDITABLE_FIELDS) plus tags.

    `actor` decides what is editable: owner and team need the transfer
    permission; phones and e-mails of an existing customer are only shown to
    users who may see them in full. On create, an optional first contact.
    """

    kind = forms.ChoiceField(label=_("Type"), choices=CustomerKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(label=_("Short name"), max_length=100, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    source = forms.CharField(label=_("Source"), max_length=100, required=False)
    grade = forms.ChoiceField(label=_("Grade"), choices=BLANK + Grade.choices, required=False)
    lifecycle_stage = forms.ChoiceField(label=_("Lifecycle stage"), choices=LifecycleStage.choices)
    owner = UserChoiceField(label=_("Owner"), queryset=None, required=False)  # type: ignore[arg-type]
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)  # type: ignore[arg-type]
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
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    district = forms.CharField(label=_("District"), max_length=50, required=False)
    street = forms.CharField(label=_("Street address"), max_length=200, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=BLANK + Channel.choices, required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(zone, zone) for zone in TIME_ZONES],
        initial="Asia/Shanghai",
        widget=forms.Select(attrs={"data-tom-select": ""}),
    )
    birthday_calendar = forms.ChoiceField(
        label=_("Birthday calendar"),
        choices=BirthdayCalendar.choices,
        initial=BirthdayCalendar.SOLAR,
        widget=forms.RadioSelect(attrs={"x-model": "calendar"}),
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lunar_birthday_month = forms.IntegerField(
        label=_("Lunar month"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("Month and day in the lunar calendar; the solar date above is optional."),
    )
    lunar_birthday_day = forms.IntegerField(
        label=_("Lunar day"), required=False, min_value=1, max_value=30
    )
    lunar_birthday_is_leap_month = forms.BooleanField(label=_("Leap month"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.SelectMultiple(attrs={"data-tom-select": ""}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        actor: Any,
        custom_fields: list[CustomField],
        customer: Customer | None = None,
    ) -> None:
        self.actor = actor
        self.customer = customer
        self.is_create = customer is None
        super().__init__(data, initial=self._initial_from(customer, actor))
        self.fields["owner"].queryset = user_list(actor=actor)
        self.fields["team"].queryset = team_list(actor=actor)
        self.fields["tags"].queryset = tag_list()
        self.can_assign = has_permission(actor, TRANSFER_CUSTOMERS)
        if not self.can_assign:
            for name in ("owner", "team"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Only users who may transfer customers change this."
                )
        self.shows_contact_details = self.is_create or can_see_contact_details(actor)
        if not self.shows_contact_details:
            del self.fields["phones"]
            del self.fields["emails"]
        add_custom_fields(
            self, custom_fields, initial=customer.custom_fields if customer is not None else None
        )
        if self.is_create:
            self.fields["contact_name"] = forms.CharField(
                label=_("Contact name"), max_length=100, required=False
            )
            self.fields["contact_title"] = forms.CharField(
                label=_("Job title"), max_length=100, required=False
            )
            self.fields["contact_phones"] = forms.CharField(
                label=_("Contact phone"), max_length=200, required=False
            )
            self.fields["contact_emails"] = forms.CharField(
                label=_("Contact e-mail"), max_length=254, required=False
            )
        else:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Field groups in page order; custom fields and the first contact last."""
        groups = [
            (_("Basic information"), FORM_SECTIONS["basic"]),
            (_("Owner and tags"), FORM_SECTIONS["ownership"]),
            (_("How to reach them"), FORM_SECTIONS["reach"]),
            (_("Address"), FORM_SECTIONS["address"]),
            (_("Birthday"), FORM_SECTIONS["birthday"]),
            (_("Notes"), ["notes"]),
            (_("Custom fields"), [n for n in self.fields if n.startswith("cf_")]),
            (_("First contact"), list(FIRST_CONTACT_FIELDS)),
        ]
        return [
            (str(title), [self[name] for name in names if name in self.fields])
            for title, names in groups
            if any(name in self.fields for name in names)
        ]

    @staticmethod
    def _initial_from(customer: Customer | None, actor: Any) -> dict[str, Any]:
        if customer is None:
            return {
                "owner": getattr(actor, "pk", None),
                "team": getattr(actor, "team_id", None),
                "kind": CustomerKind.COMPANY,
                "lifecycle_stage": LifecycleStage.PROSPECT,
                "language": settings.LANGUAGE_CODE,
                "time_zone": "Asia/Shanghai",
            }
        initial = {
            name: getattr(customer, name)
            for name in (
                "kind",
                "name",
                "short_name",
                "industry",
                "source",
                "grade",
                "lifecycle_stage",
                "wechat_id",
                "province",
                "city",
                "district",
                "street",
                "preferred_channel",
                "language",
                "time_zone",
                "birthday",
                "birthday_calendar",
                "lunar_birthday_month",
                "lunar_birthday_day",
                "lunar_birthday_is_leap_month",
                "notes",
            )
        }
        initial.update(
            owner=customer.owner_id,
            team=customer.team_id,
            phones=_lines([display_phone(p) for p in customer.phones]),
            emails=_lines(customer.emails),
            tags=[tag.pk for tag in customer.tags.all()],
            version=customer.version,
        )
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.is_create:
            has_contact = any(cleaned.get(name) for name in FIRST_CONTACT_FIELDS)
            if has_contact and not cleaned.get("contact_name"):
                self.add_error("contact_name", CONTACT_NAME_REQUIRED)
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """cleaned_data as the keyword arguments of customer_create / customer_update."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in FORM_FIELDS:
            if name in self.fields:
                values[name] = data.get(name)
        if self.can_assign:
            values["owner"] = data.get("owner")
            values["team"] = data.get("team")
        values["tags"] = list(data.get("tags") or [])
        values["custom_fields"] = custom_values_from(data)
        return values

    def first_contact(self) -> dict[str, Any] | None:
        """contact_create keyword arguments, or None when no contact was entered."""
        if not self.is_create or not self.cleaned_data.get("contact_name"):
            return None
        return {
            keyword: self.cleaned_data.get(name, "")
            for name, keyword in FIRST_CONTACT_FIELDS.items()
        }


def contact_errors_to_form(error: ValidationError) -> ValidationError:
    """Rename the first contact's "contact.<field>" error keys to this form's field names."""
    renamed = {}
    for key, messages in error.field_errors.items():
        if key.startswith("contact."):
            field = key.removeprefix("contact.")
            key = f"contact_{field}" if f"contact_{field}" in FIRST_CONTACT_FIELDS else "__all__"
        renamed[key] = messages
    return ValidationError(error.message, field_errors=renamed)


class CustomerTransferForm(forms.Form):
    owner = UserChoiceField(label=_("New owner"), queryset=None)  # type: ignore[arg-type]
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data: Any = None, *, actor: Any, customer: Customer) -> None:
        super().__init__(data, initial={"owner": customer.owner_id, "version": customer.version})
        self.fields["owner"].queryset = user_list(actor=actor)
        self.fields["owner"].widget.attrs["data-tom-select"] = ""


def _display(form: forms.Form, name: str, value: Any, actor: Any) -> str:
    """A stored or submitted value as the user should read it (masked where needed)."""
    if value in (None, "", []):
        return "—"
    field = form.fields.get(name)
    if name in ("owner", "team") and field is not None:
        pk = getattr(value, "pk", value)
        found = field.queryset.filter(pk=pk).first()  # type: ignore[attr-defined]
        return str(found) if found is not None else str(pk)
    if name in DATETIME_FIELDS:
        value = _as_datetime(value)
        return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
    if name == "phones":
        return "、".join(phones_for(actor, value))
    if name == "emails":
        return "、".join(emails_for(actor, value))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    choices = dict(getattr(field, "choices", []) or []) if field is not None else {}
    if isinstance(value, str | int) and value in choices:
        return str(choices[value])
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


def _as_datetime(value: Any) -> Any:
    """Stored datetimes come back as ISO strings; read them as aware datetimes."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def _comparable(name: str, value: Any) -> Any:
    """Normalise a submitted or stored value so equal meanings compare equal."""
    if name in DATETIME_FIELDS:
        value = _as_datetime(value)
        return value.isoformat() if hasattr(value, "isoformat") else value
    if name == "phones":
        phones = []
        for raw in as_list(value):
            try:
                phones.append(normalize_phone(raw))
            except InvalidPhone:
                phones.append(raw)
        return phones
    if name == "emails":
        return [email.lower() for email in as_list(value)]
    if name == "notes":
        return sanitize_html(str(value or "")).strip()
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return value.strip()
    return value


def conflict_rows(
    form: forms.Form, current_values: dict[str, Any], actor: Any
) -> list[dict[str, str]]:
    """Fields where the stored record differs from what the user submitted.

    Each row has the field label, "their" (stored) value and "your" value, so
    the user sees what saving again would overwrite.
    """
    submitted = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    rows: list[dict[str, str]] = []
    for name, stored in current_values.items():
        if name == "custom_fields":
            mine_custom = custom_values_from(submitted)
            for key in sorted(set(stored or {}) | set(mine_custom)):
                field_name = f"cf_{key}"
                if field_name not in form.fields:
                    continue
                theirs = _display(form, field_name, (stored or {}).get(key), actor)
                mine = _display(form, field_name, mine_custom.get(key), actor)
                if theirs != mine:
                    label = str(form.fields[field_name].label)
                    rows.append({"label": label, "theirs": theirs, "yours": mine})
            continue
        if name not in form.fields or form.fields[name].disabled:
            continue
        mine = submitted.get(name)
        if _comparable(name, stored) == _comparable(name, mine):
            continue
        mine_shown = _comparable(name, mine) if name in ("phones", "emails") else mine
        rows.append(
            {
                "label": str(form.fields[name].label),
                "theirs": _display(form, name, stored, actor),
                "yours": _display(form, name, mine_shown, actor),
            }
        )
    return rows
