"""Forms check shape only; the sales services validate and compute (STYLE.md rule 8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.forms.customer import style_widgets
from guanxi.sales.models import Order, OrderStatus, PriceList, Product
from guanxi.sales.selectors import OrderFilter, ProductFilter

MIN_YEAR, MAX_YEAR = 1900, 2200
DATE_OUT_OF_RANGE = _("Enter a date between 1900 and 2200.")
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2}
LINE_FIELDS = ("product", "quantity", "unit_price", "discount_percent")
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


def _check_year(value: dt.date | None) -> dt.date | None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise forms.ValidationError(DATE_OUT_OF_RANGE)
    return value


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="个")
    list_price = forms.DecimalField(label=_("List price"), min_value=0, **MONEY_FIELD)
    cost = forms.DecimalField(label=_("Cost"), min_value=0, initial=0, **MONEY_FIELD)
    is_active = forms.BooleanField(label=_("Active (can be ordered)"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data: Any = None, *, product: Product | None = None) -> None:
        initial: dict[str, Any] = {}
        if product is not None:
            initial = {name: getattr(product, name) for name in self.base_fields}
            initial["version"] = product.version
        super().__init__(data, initial=initial or None)
        if product is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in ProductForm.base_fields}


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("SKU or name"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def __init__(self, data: Any = None, *, categories: list[str]) -> None:
        super().__init__(data)
        self.fields["category"].choices = [("", _("All"))] + [(c, c) for c in categories]
        style_widgets(self)

    def to_filter(self) -> ProductFilter:
        if not self.is_valid():
            return ProductFilter()
        active = self.cleaned_data.get("active")
        return ProductFilter(
            q=self.cleaned_data.get("q") or "",
            category=self.cleaned_data.get("category") or "",
            is_active=None if active in (None, "") else active == "1",
        )


class DocumentFilterForm(forms.Form):
    """The order and quote list filters; a subclass names its labels, its status
    choices and `filter_class`."""

    filter_class: type = OrderFilter
    q = forms.CharField(label=_("Number or customer"), max_length=100, required=False)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *OrderStatus.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(**DATE_WIDGET))

    def __init__(self, data: Any = None, *, owners: list[Any]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = [("", _("All"))] + [(u.pk, str(u)) for u in owners]
        style_widgets(self)

    def clean_date_from(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("date_from"))

    def clean_date_to(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("date_to"))

    def to_filter(self) -> Any:
        if not self.is_valid():
            # Keep the fields that are fine: a typo in one date must not hide the list.
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        return self.filter_class(
            q=data.get("q") or "",
            customer=data.get("customer"),
            owner=data.get("owner"),
            status=data.get("status") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class OrderFilterForm(DocumentFilterForm):
    filter_class = OrderFilter


def setup_document_header(
    form: forms.Form,
    *,
    customers: list[Any],
    owners: list[Any],
    is_edit: bool,
    customer_search_url: str,
) -> None:
    """The customer picker and owner choices of the order and quote forms; on edit
    the customer is fixed and the hidden version is required."""
    form.fields["customer"].widget.choices = [("", "—")] + [(c.pk, c.name) for c in customers]
    form.fields["customer"].widget.attrs["data-search-url"] = customer_search_url
    form.fields["owner"].choices = [("", _("The customer's owner"))] + [
        (u.pk, str(u)) for u in owners
    ]
    if is_edit:
        form.fields["customer"].disabled = True
        form.fields["owner"].choices[0] = ("", "—")
        form.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OrderForm(forms.Form):
    """The order header; its lines come as parallel lists (see `lines_from`)."""

    # An id, not a choice: the picker searches all customers in scope (the service
    # checks the scope); the select only renders the recent ones and the chosen one.
    customer = forms.IntegerField(
        label=_("Customer"),
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.Select(attrs={"data-customer-search": ""}),
    )
    order_date = forms.DateField(label=_("Date"), widget=forms.DateInput(**DATE_WIDGET))
    status = forms.ChoiceField(label=_("Status"), choices=OrderStatus.choices)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        customers: list[Any],
        owners: list[Any],
        order: Order | None = None,
        initial_customer: Any = None,
    ) -> None:
        initial: dict[str, Any] = {
            "order_date": timezone.localdate(),
            "status": OrderStatus.CONFIRMED,
        }
        if initial_customer is not None:
            initial["customer"] = initial_customer.pk
        if order is not None:
            initial = {
                "customer": order.customer_id,
                "order_date": order.order_date,
                "status": order.status,
                "owner": order.owner_id,
                "notes": order.notes,
                "version": order.version,
            }
        super().__init__(data, initial=initial)
        setup_document_header(
            self,
            customers=customers,
            owners=owners,
            is_edit=order is not None,
            customer_search_url=reverse("sales:customer_options"),
        )
        style_widgets(self)

    def clean_order_date(self) -> dt.date | None:
        return _check_year(self.cleaned_data.get("order_date"))

    def service_fields(self, *, is_create: bool) -> dict[str, Any]:
        fields = {
            name: self.cleaned_data.get(name) for name in ("order_date", "status", "owner", "notes")
        }
        if is_create and fields["owner"] is None:
            fields.pop("owner")  # the service defaults it to the customer's owner
        return fields


def posted_lines(
    data: QueryDict,
    fields: tuple[str, ...],
    *,
    prefilled: tuple[str, ...] = (),
    long_fields: dict[str, int] | None = None,
) -> list[dict[str, str]]:
    """Document lines posted as parallel lists line-<field> (orders and quotes).

    Rows with nothing typed outside the `prefilled` fields (an added, unused line)
    are dropped; everything else goes to the service, which reports errors per
    line. Values are cut at 40 characters, or at `long_fields[name]`.
    """
    lengths = long_fields or {}
    columns = {name: data.getlist(f"line-{name}") for name in fields}
    count = max((len(values) for values in columns.values()), default=0)
    lines = []
    for index in range(min(count, 500)):
        row = {
            name: (values[index] if index < len(values) else "") for name, values in columns.items()
        }
        typed = {k: v for k, v in row.items() if k not in prefilled}
        if not any(str(value).strip() for value in typed.values()):
            continue
        lines.append(
            {name: str(value).strip()[: lengths.get(name, 40)] for name, value in row.items()}
        )
    return lines


def lines_from(data: QueryDict) -> list[dict[str, str]]:
    """The order lines posted. Like quotes, a quantity of 1 and no discount are what a
    new row starts with, not input: an added row left empty is dropped, not refused."""
    return posted_lines(data, LINE_FIELDS, prefilled=("quantity", "discount_percent"))


def lines_of(order: Order) -> list[dict[str, str]]:
    return [
        {
            "product": str(line.product_id),
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": str(line.unit_price),
            "discount_percent": f"{line.discount_percent.normalize():f}",
        }
        for line in order.lines.all()
    ]


class PriceListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    grade = forms.ChoiceField(
        label=_("For customers of grade"), choices=[(g, g) for g in ("A", "B", "C", "D")]
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    notes = forms.CharField(
        label=_("Notes"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, price_list: PriceList | None = None) -> None:
        initial: dict[str, Any] = {}
        if price_list is not None:
            initial = {n: getattr(price_list, n) for n in ("name", "grade", "is_active", "notes")}
            initial["version"] = price_list.version
        super().__init__(data, initial=initial or None)
        if price_list is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        style_widgets(self)

    def service_fields(self) -> dict[str, Any]:
        return {n: self.cleaned_data.get(n) for n in ("name", "grade", "is_active", "notes")}


def price_items_from(data: QueryDict, products: list[Product]) -> dict[int, str]:
    """{product id: price} from inputs named price-<product id>; empty means no special price."""
    items: dict[int, str] = {}
    for product in products:
        raw = (data.get(f"price-{product.pk}") or "").strip()
        if raw:
            items[product.pk] = raw[:40]
    return items


def decimal_or_zero(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception:
        return Decimal(0)
