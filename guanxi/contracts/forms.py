"""Forms check shape only; the contract services validate (STYLE.md rule 8)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.contracts.models import (
    Contract,
    ContractSequence,
    ContractStatus,
    PaymentMethod,
    PaymentPlan,
    SequenceReset,
)
from guanxi.contracts.selectors import ContractFilter
from guanxi.customers.forms.customer import style_widgets

DATE = {"type": "date"}
CONTRACT_FIELDS = (
    "title",
    "customer",
    "contact",
    "owner",
    "amount",
    "currency",
    "start_on",
    "end_on",
    "remind_days_before_end",
    "notes",
    "opportunity",
    "quote",
)
PLAN_ROWS_EXTRA = 3


class ContractForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    # An id, not a choice: the picker searches every customer in scope on the server.
    customer = forms.IntegerField(
        label=_("Customer"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    contact = forms.TypedChoiceField(
        label=_("Contact"), required=False, coerce=int, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=0)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    start_on = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    end_on = forms.DateField(
        label=_("End date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    remind_days_before_end = forms.IntegerField(
        label=_("Renewal reminder (days before the end)"),
        min_value=0,
        max_value=365,
        initial=30,
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opportunity = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    quote = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(
        self,
        data: Any = None,
        *,
        owners: list[Any],
        customer: Any = None,
        contacts: list[Any] | None = None,
        contract: Contract | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        initial = dict(initial or {})
        if contract is not None:
            initial.update({name: getattr(contract, name, None) for name in CONTRACT_FIELDS})
            initial.update(
                {
                    "customer": contract.customer_id,
                    "contact": contract.contact_id,
                    "owner": contract.owner_id,
                    "opportunity": contract.opportunity_id,
                    "quote": contract.quote_id,
                    "version": contract.version,
                }
            )
            customer = contract.customer
        super().__init__(data, initial=initial or None)
        self.fields["owner"].choices = [(user.pk, str(user)) for user in owners]
        choices: list[tuple[Any, Any]] = [("", _("— choose —"))]
        if customer is not None:
            choices.append((customer.pk, customer.name))
        self.fields["customer"].widget.choices = choices
        self.fields["customer"].widget.attrs["data-search-url"] = reverse(
            "contracts:customer_options"
        )
        self.fields["contact"].choices = [("", _("— none —"))] + [
            (contact.pk, contact.name) for contact in contacts or []
        ]
        if contract is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            if contract.status != ContractStatus.DRAFT:
                for name in ("customer", "amount", "currency", "start_on"):
                    self.fields[name].disabled = True
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name)
            for name in CONTRACT_FIELDS
            if name in self.fields and not self.fields[name].disabled
        }


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *ContractStatus.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    customer = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    ending_soon = forms.BooleanField(label=_("Ending within 60 days"), required=False)
    overdue = forms.BooleanField(label=_("With overdue instalments"), required=False)

    def __init__(self, data: Any = None, *, owners: list[Any] | None) -> None:
        super().__init__(data)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("Everyone I can see"))] + [
                (user.pk, str(user)) for user in owners
            ]
        style_widgets(self)

    def to_filter(self) -> ContractFilter:
        if not self.is_bound or not self.is_valid():
            return ContractFilter()
        data = self.cleaned_data
        return ContractFilter(
            q=data.get("q") or "",
            status=data.get("status") or "",
            owner=data.get("owner"),
            customer=data.get("customer"),
            is_ending_soon=bool(data.get("ending_soon")),
            has_overdue=bool(data.get("overdue")),
        )


class PaymentForm(forms.Form):
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    method = forms.ChoiceField(
        label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK_TRANSFER
    )
    instalment = forms.TypedChoiceField(
        label=_("For instalment"), required=False, coerce=int, empty_value=None
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, data: Any = None, *, instalments: list[PaymentPlan], initial: Any = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["instalment"].choices = [("", _("— not specified —"))] + [
            (item.pk, f"#{item.sequence} · {item.due_on:%Y-%m-%d} · {item.amount}")
            for item in instalments
        ]
        style_widgets(self)


class PlanForm(forms.Form):
    """Instalment rows posted as due_on_<n> / amount_<n> / notes_<n>; blank rows are skipped."""

    def __init__(self, data: Any = None, *, instalments: list[PaymentPlan]) -> None:
        super().__init__(data)
        rows = len(instalments) + PLAN_ROWS_EXTRA
        if data is not None:
            posted = [key for key in data if key.startswith("due_on_")]
            rows = max(rows, min(len(posted), 120))
        self.row_count = rows
        for index in range(rows):
            item = instalments[index] if index < len(instalments) else None
            self.fields[f"due_on_{index}"] = forms.DateField(
                label=_("Due date"),
                required=False,
                initial=item.due_on if item else None,
                widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            )
            self.fields[f"amount_{index}"] = forms.DecimalField(
                label=_("Amount"),
                required=False,
                max_digits=14,
                decimal_places=2,
                initial=item.amount if item else None,
            )
            self.fields[f"notes_{index}"] = forms.CharField(
                label=_("Notes"), required=False, max_length=300, initial=item.notes if item else ""
            )
        style_widgets(self)

    def rows(self) -> list[list[Any]]:
        return [
            [self[f"due_on_{index}"], self[f"amount_{index}"], self[f"notes_{index}"]]
            for index in range(self.row_count)
        ]

    def instalments(self) -> list[dict[str, Any]]:
        result = []
        for index in range(self.row_count):
            due_on = self.cleaned_data.get(f"due_on_{index}")
            amount = self.cleaned_data.get(f"amount_{index}")
            if due_on is None and amount is None:
                continue
            result.append(
                {
                    "due_on": due_on,
                    "amount": amount,
                    "notes": self.cleaned_data.get(f"notes_{index}"),
                }
            )
        return result


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False)


class SequenceForm(forms.Form):
    pattern = forms.CharField(
        label=_("Number pattern"),
        max_length=40,
        help_text=_(
            "Tokens: {yyyy} year, {yy} two-digit year, {mm} month, {seq:05} number with 5 digits."
        ),
    )
    reset = forms.ChoiceField(label=_("Restart numbering"), choices=SequenceReset.choices)

    def __init__(self, data: Any = None, *, sequence: ContractSequence) -> None:
        super().__init__(
            data,
            initial={
                "pattern": sequence.pattern,
                "reset": sequence.reset,
                "version": sequence.version,
            },
        )
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)
