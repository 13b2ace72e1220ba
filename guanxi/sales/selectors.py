"""Product, price list, order and quote reads.

Orders start from platform.scoping.scoped (a rep sees the orders of the
customers in their scope). Products and price lists are a shared catalogue:
anyone holding `sales.view_product` sees all of them, nobody else any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import scoped
from guanxi.sales.models import (
    COUNTED_STATUSES,
    OPEN_QUOTE_STATUSES,
    Order,
    OrderLine,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuotePdf,
)

PRODUCT_SORTS: dict[str, list[str]] = {
    "sku": ["sku", "id"],
    "-sku": ["-sku", "-id"],
    "name": ["name", "id"],
    "-name": ["-name", "-id"],
    "price": ["list_price", "id"],
    "-price": ["-list_price", "-id"],
    "-id": ["-id"],
    "id": ["id"],
}
ORDER_SORTS: dict[str, list[str]] = {
    "-date": ["-order_date", "-id"],
    "date": ["order_date", "id"],
    "-total": ["-total", "-id"],
    "total": ["total", "id"],
    "-id": ["-id"],
    "id": ["id"],
}
QUOTE_SORTS: dict[str, list[str]] = {
    "-date": ["-issued_on", "-id"],
    "date": ["issued_on", "id"],
    "-total": ["-total", "-id"],
    "total": ["total", "id"],
    "valid_until": ["valid_until", "id"],
    "-valid_until": ["-valid_until", "-id"],
    "-id": ["-id"],
    "id": ["id"],
}
CUSTOMER_ORDER_LIMIT = 10
CUSTOMER_QUOTE_LIMIT = 5
CENT = Decimal("0.01")


@dataclass
class ProductFilter:
    q: str = ""
    category: str = ""
    is_active: bool | None = None


@dataclass
class OrderFilter:
    q: str = ""
    customer: int | None = None
    owner: int | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    product: int | None = None


def product_list(
    *, actor: Any, filters: ProductFilter | None = None, include_deleted: bool = False
) -> QuerySet[Product]:
    if not has_permission(actor, "sales.view_product"):
        return Product.objects.none()
    filters = filters or ProductFilter()
    qs = Product.objects.all() if include_deleted else Product.objects.filter(deleted_at=None)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(sku__icontains=text) | Q(name__icontains=text))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    return qs


def product_get(*, actor: Any, product_id: Any) -> Product:
    try:
        pk = int(product_id)
    except (TypeError, ValueError) as error:
        raise NotFound("product") from error
    product = product_list(actor=actor).filter(pk=pk).first()
    if product is None:
        raise NotFound("product")
    return product


def product_categories(*, actor: Any) -> list[str]:
    return list(
        product_list(actor=actor)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def product_choices(*, actor: Any) -> list[Product]:
    """Active products for an order line picker (a catalogue is hundreds, not millions)."""
    return list(product_list(actor=actor).filter(is_active=True).order_by("sku")[:2000])


def price_list_list(*, actor: Any) -> QuerySet[PriceList]:
    if not has_permission(actor, "sales.view_product"):
        return PriceList.objects.none()
    return PriceList.objects.prefetch_related("items__product")


def price_list_get(*, actor: Any, price_list_id: Any) -> PriceList:
    try:
        pk = int(price_list_id)
    except (TypeError, ValueError) as error:
        raise NotFound("price list") from error
    found = price_list_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("price list")
    return found


def default_unit_prices(customer: Any, products: list[Product]) -> dict[int, Decimal]:
    """The unit price a new line starts with: the active price list of the
    customer's grade where it has the product, else the product's list price."""
    prices = {product.pk: product.list_price for product in products}
    grade = getattr(customer, "grade", "")
    if grade and prices:
        for product_id, price in PriceListItem.objects.filter(
            price_list__grade=grade, price_list__is_active=True, product_id__in=list(prices)
        ).values_list("product_id", "price"):
            prices[product_id] = price
    return prices


def order_list(
    *, actor: Any, filters: OrderFilter | None = None, action: str = "view"
) -> QuerySet[Order]:
    filters = filters or OrderFilter()
    qs = scoped(Order.objects.all(), actor=actor, action=action)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(number__icontains=text) | Q(customer__name__icontains=text))
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(order_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(order_date__lte=filters.date_to)
    if filters.product:
        qs = qs.filter(pk__in=OrderLine.objects.filter(product_id=filters.product).values("order"))
    return qs.select_related("customer", "owner")


def order_get(*, actor: Any, order_id: Any, action: str = "view") -> Order:
    """One order in the actor's scope with its lines; anything else 404s."""
    try:
        pk = int(order_id)
    except (TypeError, ValueError) as error:
        raise NotFound("order") from error
    order = (
        scoped(Order.objects.filter(pk=pk), actor=actor, action=action)
        .select_related("customer", "owner", "created_by")
        .prefetch_related("lines__product")
        .first()
    )
    if order is None:
        raise NotFound("order")
    return order


@dataclass
class CustomerSalesSummary:
    orders: list[Order]
    order_count: int
    lifetime_spend: Decimal
    profit: Decimal
    first_purchase: dt.date | None
    last_purchase: dt.date | None

    @property
    def average_order_value(self) -> Decimal | None:
        if not self.order_count:
            return None
        return (self.lifetime_spend / self.order_count).quantize(CENT)


def customer_sales_summary(*, actor: Any, customer_id: int) -> CustomerSalesSummary | None:
    """The 360 page's sales panel: two queries whatever the number of orders.

    Spend, profit and counts take confirmed and completed orders only (drafts,
    cancelled and refunded orders are not money received); the history lists all.
    None when the actor may not see orders.
    """
    if not has_permission(actor, "sales.view_order"):
        return None
    qs = order_list(actor=actor, filters=OrderFilter(customer=customer_id))
    totals = (
        qs.filter(status__in=COUNTED_STATUSES)
        .order_by()
        .aggregate(
            count=Count("id"),
            spend=Sum("total"),
            profit=Sum("profit"),
            first=Min("order_date"),
            last=Max("order_date"),
        )
    )
    orders = list(qs.order_by("-order_date", "-id")[:CUSTOMER_ORDER_LIMIT])
    return CustomerSalesSummary(
        orders=orders,
        order_count=totals["count"] or 0,
        # SQLite's SUM drops the scale (100 instead of 100.00): quantize to cents.
        lifetime_spend=Decimal(totals["spend"] or 0).quantize(CENT),
        profit=Decimal(totals["profit"] or 0).quantize(CENT),
        first_purchase=totals["first"],
        last_purchase=totals["last"],
    )


@dataclass
class QuoteFilter:
    q: str = ""
    customer: int | None = None
    owner: int | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def quote_list(
    *, actor: Any, filters: QuoteFilter | None = None, action: str = "view"
) -> QuerySet[Quote]:
    """Quotes of the customers in the actor's scope (scoped like orders)."""
    filters = filters or QuoteFilter()
    qs = scoped(Quote.objects.all(), actor=actor, action=action)
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(number__icontains=text) | Q(title__icontains=text) | Q(customer__name__icontains=text)
        )
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(issued_on__lte=filters.date_to)
    return qs.select_related("customer", "owner")


def quote_get(*, actor: Any, quote_id: Any, action: str = "view") -> Quote:
    """One quote in the actor's scope with its lines and saved PDFs; anything else 404s."""
    try:
        pk = int(quote_id)
    except (TypeError, ValueError) as error:
        raise NotFound("quote") from error
    quote = (
        scoped(Quote.objects.filter(pk=pk), actor=actor, action=action)
        .select_related("customer", "contact", "opportunity", "owner", "created_by", "order")
        .prefetch_related("lines__product", "pdfs__created_by")
        .first()
    )
    if quote is None:
        raise NotFound("quote")
    return quote


def quote_pdf_get(*, actor: Any, quote_id: Any, pdf_id: Any) -> QuotePdf:
    """A saved PDF of a quote the actor can see."""
    quote = quote_get(actor=actor, quote_id=quote_id)
    try:
        pk = int(pdf_id)
    except (TypeError, ValueError) as error:
        raise NotFound("quote pdf") from error
    document = QuotePdf.objects.filter(pk=pk, quote=quote).first()
    if document is None:
        raise NotFound("quote pdf")
    return document


@dataclass
class CustomerQuotesSummary:
    quotes: list[Quote]
    open_count: int
    open_total: Decimal


def customer_quotes_summary(*, actor: Any, customer_id: int) -> CustomerQuotesSummary | None:
    """The 360 page's quotes panel: the latest quotes and the open (draft/sent) total.

    One query: the open count and total ride along as scalar subqueries on the
    latest rows (every quote of a customer has the customer's visibility, so the
    subqueries need no scoping of their own; no rows means no open quotes either).
    None when the actor may not see quotes.
    """
    if not has_permission(actor, "sales.view_quote"):
        return None
    open_quotes = (
        Quote.objects.filter(
            customer_id=OuterRef("customer_id"),
            status__in=OPEN_QUOTE_STATUSES,
            deleted_at__isnull=True,
        )
        .order_by()
        .values("customer_id")
    )
    quotes = list(
        quote_list(actor=actor, filters=QuoteFilter(customer=customer_id))
        .annotate(
            open_count=Subquery(open_quotes.annotate(n=Count("id")).values("n")[:1]),
            open_total=Subquery(open_quotes.annotate(s=Sum("total")).values("s")[:1]),
        )
        .order_by("-issued_on", "-id")[:CUSTOMER_QUOTE_LIMIT]
    )
    first = quotes[0] if quotes else None
    return CustomerQuotesSummary(
        quotes=quotes,
        open_count=(first.open_count or 0) if first else 0,
        # SQLite's SUM drops the scale: quantize to cents.
        open_total=Decimal((first.open_total or 0) if first else 0).quantize(CENT),
    )
