"""Forms check shape only; the opportunity services validate (STYLE.md rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.customer import style_widgets
from guanxi.deals.models import Opportunity, OpportunityStatus, Pipeline
from guanxi.deals.selectors import OpportunityFilter, month_bounds

SERVICE_FIELDS = (
    "title",
    "customer",
    "contact",
    "amount",
    "expected_close_on",
    "owner",
    "stage",
    "competitors",
    "next_step",
    "notes",
)
MAX_ID = 2**63 - 1


class OpportunityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    # An id: the picker searches every customer in scope on the server.
    customer = forms.IntegerField(
        label=_("Customer"),
        min_value=1,
        max_value=MAX_ID,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    amount = forms.DecimalField(
        label=_("Amount (CNY)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    expected_close_on = forms.DateField(
        label=_("Expected close date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    contact = forms.TypedChoiceField(
        label=_("Contact"), coerce=int, required=False, empty_value=None
    )
    competitors = forms.CharField(label=_("Competitors"), max_length=300, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        pipeline: Pipeline,
        owners: list[Any],
        customer: Any = None,
        contacts: list[Any] | None = None,
        opportunity: Opportunity | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        if opportunity is not None:
            initial.update(
                {
                    "title": opportunity.title,
                    "customer": opportunity.customer_id,
                    "amount": opportunity.amount,
                    "expected_close_on": opportunity.expected_close_on,
                    "stage": opportunity.stage_id,
                    "owner": opportunity.owner_id,
                    "contact": opportunity.contact_id,
                    "competitors": opportunity.competitors,
                    "next_step": opportunity.next_step,
                    "notes": opportunity.notes,
                    "version": opportunity.version,
                }
            )
            customer = opportunity.customer
        super().__init__(data, initial=initial or None)
        stages = getattr(pipeline, "stage_list", None) or list(pipeline.stages.all())
        self.fields["stage"].choices = [
            (stage.pk, f"{stage.name} · {stage.probability}%")
            for stage in stages
            # Winning and losing have their own buttons (losing needs a reason).
            if stage.is_open or (opportunity is not None and stage.pk == opportunity.stage_id)
        ]
        self.fields["owner"].choices = [(user.pk, str(user)) for user in owners]
        self.fields["owner"].widget.attrs["data-tom-select"] = ""
        customer_choices: list[tuple[Any, Any]] = [("", _("— choose —"))]
        if customer is not None:
            customer_choices.append((customer.pk, customer.name))
        self.fields["customer"].widget.choices = customer_choices
        self.fields["customer"].widget.attrs["data-search-url"] = reverse("deals:customer_options")
        self.fields["contact"].choices = [("", _("— none —"))] + [
            (contact.pk, f"{contact.name} {contact.title}".strip()) for contact in contacts or []
        ]
        if not contacts:
            self.fields["contact"].help_text = (
                _("This customer has no contacts yet.")
                if customer is not None
                else _("Choose the customer and save to pick one of its contacts.")
            )
        if opportunity is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            if not opportunity.is_open:
                self.fields["stage"].disabled = True
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS}
        if self.fields["stage"].disabled:
            fields.pop("stage")
        return fields


class LoseForm(forms.Form):
    reason = forms.CharField(label=_("Why was it lost?"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class BoardFilterForm(forms.Form):
    """Owner, team and close month on the board and the list (owner/team for managers)."""

    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    close_month = forms.CharField(
        label=_("Close month"),
        required=False,
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
    )

    def __init__(
        self, data: Any = None, *, owners: list[Any] | None, teams: list[Any] | None
    ) -> None:
        super().__init__(data)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("Everyone I can see"))] + [
                (user.pk, str(user)) for user in owners
            ]
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = [("", _("All teams"))] + [
                (team.pk, str(team)) for team in teams
            ]
        style_widgets(self)

    def clean_close_month(self) -> str:
        value = (self.cleaned_data.get("close_month") or "").strip()
        if value and month_bounds(value) is None:
            raise forms.ValidationError(_("Choose a month."))
        return value

    def to_filter(self) -> OpportunityFilter:
        if not self.is_bound or not self.is_valid():
            return OpportunityFilter()
        data = self.cleaned_data
        return OpportunityFilter(
            owner=data.get("owner"), team=data.get("team"), close_month=data.get("close_month")
        )


class OpportunityFilterForm(BoardFilterForm):
    q = forms.CharField(label=_("Title or customer"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *OpportunityStatus.choices],
    )
    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), required=False, coerce=int, empty_value=None
    )
    field_order = ["q", "status", "pipeline", "owner", "team", "close_month"]

    def __init__(
        self,
        data: Any = None,
        *,
        owners: list[Any] | None,
        teams: list[Any] | None,
        pipelines: list[Pipeline],
    ) -> None:
        super().__init__(data, owners=owners, teams=teams)
        self.fields["pipeline"].choices = [("", _("All pipelines"))] + [
            (pipeline.pk, pipeline.name) for pipeline in pipelines
        ]
        self.order_fields(self.field_order)

    def to_filter(self) -> OpportunityFilter:
        if not self.is_bound:
            return OpportunityFilter(status=OpportunityStatus.OPEN)
        filters = super().to_filter()
        if self.is_valid():
            filters.q = self.cleaned_data.get("q") or ""
            filters.status = self.cleaned_data.get("status") or ""
            filters.pipeline = self.cleaned_data.get("pipeline")
        return filters
