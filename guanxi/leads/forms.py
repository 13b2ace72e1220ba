"""Forms check shape only; the lead services validate (STYLE.md rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.customer import style_widgets
from guanxi.leads.models import (
    EDITABLE_STATUSES,
    AssignmentMethod,
    Lead,
    LeadActivityKind,
    LeadSource,
    LeadStatus,
)
from guanxi.leads.selectors import OWNER_POOL, LeadFilter

LEAD_FIELDS = (
    "name",
    "company",
    "title",
    "mobile",
    "phone",
    "email",
    "wechat_id",
    "province",
    "city",
    "source",
    "status",
    "disqualify_reason",
    "owner",
    "notes",
)
AUTO_ASSIGN = ""  # the owner choice "assign by the team's rules / leave in the pool"


class LeadForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    wechat_id = forms.CharField(label=_("WeChat ID"), max_length=100, required=False)
    province = forms.CharField(label=_("Province"), max_length=50, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in EDITABLE_STATUSES],
        initial=LeadStatus.NEW,
        widget=forms.Select(attrs={"x-model": "status"}),
    )
    disqualify_reason = forms.CharField(
        label=_("Disqualify reason"), max_length=200, required=False
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, empty_value=None)
    team = forms.TypedChoiceField(
        label=_("Team"),
        required=False,
        empty_value=None,
        help_text=_("Whose assignment rule and shared pool apply."),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        owners: list[Any],
        teams: list[Any] | None = None,
        lead: Lead | None = None,
        initial: dict[str, Any] | None = None,
        can_see_contact_details: bool = True,
    ) -> None:
        initial = dict(initial or {})
        if lead is not None:
            initial.update({name: getattr(lead, name) for name in LEAD_FIELDS if name != "owner"})
            initial["mobile"] = lead.mobile.removeprefix("+86")
            initial["phone"] = lead.phone.removeprefix("+86")
            initial["owner"] = lead.owner_id or AUTO_ASSIGN
            initial["team"] = lead.team_id
            initial["version"] = lead.version
        super().__init__(data, initial=initial or None)
        choices: list[tuple[Any, Any]] = [
            (
                AUTO_ASSIGN,
                _("Assign by the team's rules / shared pool")
                if lead is None
                else _("Shared pool (no owner)"),
            )
        ]
        choices += [(user.pk, str(user)) for user in owners]
        if lead is not None and lead.owner_id and lead.owner_id not in {u.pk for u in owners}:
            choices.append((lead.owner_id, str(lead.owner)))
        self.fields["owner"].choices = choices
        self.fields["owner"].coerce = int
        if teams is None:
            del self.fields["team"]
        else:
            team_choices: list[tuple[Any, Any]] = [("", _("The owner's team / mine"))]
            team_choices += [(team.pk, "\u2003" * team.depth + team.name) for team in teams]
            if lead is not None and lead.team_id and lead.team_id not in {t.pk for t in teams}:
                team_choices.append((lead.team_id, str(lead.team)))
            self.fields["team"].choices = team_choices
            self.fields["team"].coerce = int
        if lead is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            if not can_see_contact_details:
                # Masked for this user (customers' rule): not shown, so not changed.
                for name in ("mobile", "phone", "email"):
                    del self.fields[name]
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in LEAD_FIELDS if name in self.fields}
        if "team" in self.fields and data.get("team") is not None:
            fields["team"] = data["team"]  # empty: the owner's (or the actor's) team
        return fields


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *LeadStatus.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *LeadSource.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, data: Any = None, *, owners: list[Any]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = [
            ("", _("Everyone I can see")),
            ("me", _("Mine")),
            (OWNER_POOL, _("Shared pool (no owner)")),
            *[(str(user.pk), str(user)) for user in owners],
        ]
        style_widgets(self)

    def to_filter(self, actor: Any) -> LeadFilter:
        if not self.is_bound or not self.is_valid():
            return LeadFilter()
        data = self.cleaned_data
        owner = data.get("owner") or None
        is_mine = owner == "me"
        return LeadFilter(
            q=data.get("q") or "",
            status=data.get("status") or "",
            source=data.get("source") or "",
            owner=None if is_mine else (owner if owner == OWNER_POOL else _int_or_none(owner)),
            is_mine=is_mine,
        )


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


class LeadActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=LeadActivityKind.choices)
    content = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        style_widgets(self)


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data: Any = None, *, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        style_widgets(self)


class ConvertForm(forms.Form):
    NEW = "new"
    ATTACH = "attach"

    target = forms.ChoiceField(
        label=_("Customer"),
        choices=[(NEW, _("Create a new customer")), (ATTACH, _("Attach to an existing customer"))],
        widget=forms.RadioSelect(attrs={"x-model": "target"}),
        initial=NEW,
    )
    customer_name = forms.CharField(label=_("New customer's name"), max_length=200, required=False)
    # An id, not a choice: the picker searches every customer the user may edit
    # (the service checks the scope); the select carries the duplicate candidates.
    customer = forms.IntegerField(
        label=_("Existing customer"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    create_opportunity = forms.BooleanField(
        label=_("Also create an opportunity"),
        required=False,
        widget=forms.CheckboxInput(attrs={"x-model": "opportunity"}),
    )
    opportunity_title = forms.CharField(
        label=_("Opportunity title"), max_length=200, required=False
    )
    opportunity_amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=15, decimal_places=2, min_value=0
    )
    opportunity_close_on = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        data: Any = None,
        *,
        candidates: list[Any],
        initial: dict[str, Any] | None = None,
        has_opportunities: bool = True,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["customer"].widget.choices = [("", "—")] + [
            (c.customer.pk, c.customer.name) for c in candidates if c.is_visible
        ]
        self.fields["customer"].widget.attrs["data-search-url"] = reverse("leads:customer_options")
        if not has_opportunities:
            for name in (
                "create_opportunity",
                "opportunity_title",
                "opportunity_amount",
                "opportunity_close_on",
            ):
                del self.fields[name]
        style_widgets(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("target") == self.ATTACH and not data.get("customer"):
            self.add_error("customer", _("Choose the customer to attach the lead to."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {"expected_version": data["version"]}
        if data.get("target") == self.ATTACH:
            fields["customer"] = data.get("customer")
        else:
            fields["customer_name"] = data.get("customer_name") or ""
        if data.get("create_opportunity"):
            fields.update(
                create_opportunity=True,
                opportunity_title=data.get("opportunity_title") or "",
                opportunity_amount=data.get("opportunity_amount"),
                opportunity_close_on=data.get("opportunity_close_on"),
            )
        return fields


class AssignmentRuleForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Method"), choices=AssignmentMethod.choices, widget=forms.RadioSelect
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    members = forms.TypedMultipleChoiceField(
        label=_("Members (round-robin, and fallback)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    targets = forms.CharField(
        label=_("Province or source → member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: a province (e.g. 浙江) or a source code (e.g. exhibition), "
            "then = and the member's user name."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, data: Any = None, *, users: list[Any], initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["members"].choices = [(user.pk, str(user)) for user in users]
        self.users_by_name = {user.username: user for user in users}
        style_widgets(self)

    def clean_targets(self) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        for number, line in enumerate((self.cleaned_data.get("targets") or "").splitlines(), 1):
            if not line.strip():
                continue
            key, sep, username = line.partition("=")
            user = self.users_by_name.get(username.strip())
            if not sep or not key.strip() or user is None:
                raise forms.ValidationError(
                    _("Line %(number)s: write “province or source = user name”.")
                    % {"number": number}
                )
            pairs.append((key.strip(), user.pk))
        return pairs
