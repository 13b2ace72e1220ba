"""Products, price lists and orders (成交记录): the customer's transaction history.

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
