"""Quote forms: shape only; the quote services validate and compute (STYLE.md rule 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.customer import style_widgets
from guanxi.sales.forms import (
    DATE_WIDGET,
    DocumentFilterForm,
    _check_year,
    posted_lines,
    setup_document_header,
)
from guanxi.sales.models import Quote, QuoteStatus
from guanxi.sales.selectors import QuoteFilter

QUOTE_LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount_percent")
HEADER_FIELDS = (
    "title",
    "contact",
    "opportunity",
    "owner",
    "issued_on",
    "valid_until",
    "currency",
    "discount_percent",
    "tax_rate",
    "terms",
    "notes",
)
PERCENT_FIELD = {"max_digits": 5, "decimal_places": 2, "min_value": 0, "max_value": 100}


class QuoteFilterForm(DocumentFilterForm):
    filter_class = QuoteFilter
    q = forms.CharField(label=_("Number, title or customer"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *QuoteStatus.choices]
    )
    date_from = forms.DateField(
        label=_("Issued from"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )


class QuoteForm(forms.Form):
    """The quote header; its lines come as parallel lists (see `quote_lines_from`).

    Percentages are checked for shape only (the service says 0–100 % per field too).
    """

    customer = forms.IntegerField(
        label=_("Customer"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    # Ids, not choices: the options follow the customer picked in the browser (the
    # service checks that they belong to the customer and are in scope).
    contact = forms.IntegerField(
        label=_("Contact"), required=False, min_value=1, max_value=2**63 - 1, widget=forms.Select
    )
    opportunity = forms.IntegerField(
        label=_("Opportunity"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select,
    )
    title = forms.CharField(label=_("Subject"), max_length=200, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=forms.DateInput(**DATE_WIDGET))
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(**DATE_WIDGET))
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3, initial="CNY")
    discount_percent = forms.DecimalField(label=_("Quote discount %"), initial=0, **PERCENT_FIELD)
    tax_rate = forms.DecimalField(label=_("Tax rate %"), initial=0, **PERCENT_FIELD)
    terms = forms.CharField(
        label=_("Terms (printed on the PDF)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Internal notes (not printed)"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        customers: list[Any],
        owners: list[Any],
        contacts: list[Any],
        opportunities: list[Any],
        quote: Quote | None = None,
        initial_customer: Any = None,
        initial_opportunity: Any = None,
        default_validity_days: int = 30,
    ) -> None:
        today = timezone.localdate()
        initial: dict[str, Any] = {
            "issued_on": today,
            "valid_until": today + dt.timedelta(days=default_validity_days),
            "currency": "CNY",
            "discount_percent": 0,
            "tax_rate": 0,
        }
        if initial_customer is not None:
            initial["customer"] = initial_customer.pk
        if initial_opportunity is not None:
            initial["opportunity"] = initial_opportunity.pk
            initial["title"] = initial_opportunity.title
        if quote is not None:
            initial = {name: getattr(quote, name) for name in HEADER_FIELDS}
            initial.update(
                customer=quote.customer_id,
                contact=quote.contact_id,
                opportunity=quote.opportunity_id,
                owner=quote.owner_id,
                version=quote.version,
                discount_percent=f"{quote.discount_percent.normalize():f}",
                tax_rate=f"{quote.tax_rate.normalize():f}",
            )
        super().__init__(data, initial=initial)
        setup_document_header(
            self,
            customers=customers,
            owners=owners,
            is_edit=quote is not None,
            customer_search_url=reverse("sales:quote_customer_options"),
        )
        self.fields["customer"].widget.attrs["data-contacts-url"] = reverse(
            "sales:quote_contact_options"
        )
        self.fields["contact"].widget.choices = [("", "—")] + [
            (c.pk, str(c.name)) for c in contacts
        ]
        self.fields["opportunity"].widget.choices = [("", "—")] + [
            (o.pk, str(o.title)) for o in opportunities
        ]
        style_widgets(self)

    def clean_issued_on(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("issued_on"))

    def clean_valid_until(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("valid_until"))

    def service_fields(self, *, is_create: bool) -> dict[str, Any]:
        fields = {name: self.cleaned_data.get(name) for name in HEADER_FIELDS}
        if is_create and fields["owner"] is None:
            fields.pop("owner")  # the service defaults it to the customer's owner
        return fields


def quote_lines_from(data: QueryDict) -> list[dict[str, str]]:
    """The quote lines posted. A quantity of 1 and no discount are the defaults of a
    new row, not input; descriptions keep up to 500 characters."""
    return posted_lines(
        data,
        QUOTE_LINE_FIELDS,
        prefilled=("quantity", "discount_percent"),
        long_fields={"description": 500},
    )


def quote_lines_of(quote: Quote) -> list[dict[str, str]]:
    return [
        {
            "product": str(line.product_id or ""),
            "description": line.description,
            "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit,
            "unit_price": str(line.unit_price),
            "discount_percent": f"{line.discount_percent.normalize():f}",
        }
        for line in quote.lines.all()
    ]


class QuoteRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
