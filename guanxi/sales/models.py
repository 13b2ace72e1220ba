"""Products, price lists, orders (成交记录) and quotes (报价单).

Money is Decimal with 2 places. An order's `total`, `cost` and `profit` are
denormalised sums of its lines, written by the order services in the same
transaction as the lines, so lists and the 360 page aggregate without joins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Product(TimestampedModel, VersionedModel, SoftDeleteModel):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="个")
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, default=0)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku"], condition=Q(deleted_at__isnull=True), name="product_sku_live_unique"
            )
        ]
        indexes = [
            models.Index(fields=["category", "sku", "id"], name="product_category"),
            models.Index(fields=["name", "id"], name="product_name"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(TimestampedModel, VersionedModel):
    """Prices for the customers of one grade (A/B/C/D); see docs/decisions.md."""

    name = models.CharField(_("name"), max_length=100)
    grade = models.CharField(_("customer grade"), max_length=1, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["grade", "id"]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_items")
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.product_id}={self.price}"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


# Orders that count as money received from the customer (360 totals, reports).
COUNTED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.COMPLETED)


class Order(TimestampedModel, VersionedModel, SoftDeleteModel):
    number = models.CharField(_("number"), max_length=40, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="orders",
    )
    order_date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_orders",
    )
    total = models.DecimalField(_("total"), default=0, **MONEY)
    cost = models.DecimalField(_("cost"), default=0, **MONEY)
    profit = models.DecimalField(_("profit"), default=0, **MONEY)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-order_date", "-id"], name="order_customer_date"),
            models.Index(fields=["-order_date", "-id"], name="order_date"),
            models.Index(fields=["owner", "-order_date", "-id"], name="order_owner_date"),
            models.Index(fields=["status", "-order_date", "-id"], name="order_status_date"),
            models.Index(fields=["-total", "-id"], name="order_total"),
            # + on PostgreSQL only, for the nightly scoring: order_customer_day_totals
            # (customer_id, order_date) INCLUDE (total, profit, status), migration 0005
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=0
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=0)
    line_total = models.DecimalField(_("line total"), **MONEY)
    line_cost = models.DecimalField(_("line cost"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position}"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


# Quotes the daily job may expire once valid_until has passed.
OPEN_QUOTE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.SENT)
PERCENT = {"max_digits": 5, "decimal_places": 2}


class Quote(TimestampedModel, VersionedModel, SoftDeleteModel):
    """An offer to a customer (报价单): lines, a whole-quote discount and tax.

    `subtotal` (sum of the lines after their own discounts), `discount_amount`,
    `tax_amount` and `total` are written by the quote services with the lines,
    like an order's totals. Seen by whoever sees the customer.
    """

    number = models.CharField(_("number"), max_length=40, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="quotes",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_quotes",
    )
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    discount_percent = models.DecimalField(_("discount %"), default=0, **PERCENT)
    tax_rate = models.DecimalField(_("tax rate %"), default=0, **PERCENT)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    terms = models.TextField(_("terms"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or rejected at"), null=True, blank=True)
    rejection_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issued_on", "-id"], name="quote_customer_date"),
            models.Index(fields=["-issued_on", "-id"], name="quote_date"),
            models.Index(fields=["owner", "-issued_on", "-id"], name="quote_owner_date"),
            models.Index(fields=["status", "valid_until"], name="quote_status_valid"),
            models.Index(fields=["-total", "-id"], name="quote_total"),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    """A product line, or a free-text one (service, freight) without a product."""

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_lines",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    discount_percent = models.DecimalField(_("discount %"), default=0, **PERCENT)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="quote_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="quote_line_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="quote_line_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}#{self.position}"


def quote_pdf_path(instance: QuotePdf, filename: str) -> str:
    return f"quotes/{instance.quote_id}/{filename}"


class QuotePdf(models.Model):
    """A PDF of a quote saved with it (e.g. the one sent), kept to attach to a contract.

    The file lives under MEDIA_ROOT (GUANXI_DATA_DIR/media, included in backups).
    """

    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="pdfs"
    )
    file = models.FileField(_("file"), upload_to=quote_pdf_path, max_length=300)
    quote_version = models.PositiveIntegerField(_("quote version"))
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quote PDF")
        verbose_name_plural = _("quote PDFs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file.name

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
