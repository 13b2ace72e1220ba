"""Sales funnel, trend and forecast reports.

`SalesMonth` is a pre-aggregated copy of the orders (one row per month, order
owner, customer owner and customer team), rebuilt by a nightly job and refreshed
for the months touched since; the trend and forecast read it instead of
grouping millions of orders (see docs/reports.md). `ReportRefresh` remembers
when that happened, for the "data as of" line and the next incremental refresh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}


class SalesMonth(models.Model):
    """Counted orders (confirmed + completed) of one month, summed per key.

    Keys: `owner` is the order's owner (who sold; the trend's owner filter),
    `scope_owner`/`team` are the customer's owner and team at refresh time: the
    same keys orders are scoped by, so `scope_condition` applies to this table.
    No foreign key constraints: the rows are derived data, rebuilt wholesale.
    """

    month = models.DateField(_("month"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    scope_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer owner"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    revenue = models.DecimalField(_("revenue"), default=0, **MONEY)
    profit = models.DecimalField(_("profit"), default=0, **MONEY)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("sales month")
        verbose_name_plural = _("sales months")
        ordering = ["month", "id"]
        indexes = [
            models.Index(fields=["month"], name="salesmonth_month"),
            models.Index(fields=["scope_owner", "month"], name="salesmonth_scope_owner"),
            models.Index(fields=["team", "month"], name="salesmonth_team"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.owner_id}/{self.scope_owner_id}/{self.team_id}"


class ReportRefresh(models.Model):
    """When an aggregate was last rebuilt or refreshed (one row per `name`)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("fully rebuilt at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    months = models.PositiveIntegerField(_("months refreshed"), default=0)

    class Meta:
        verbose_name = _("report refresh")
        verbose_name_plural = _("report refreshes")

    def __str__(self) -> str:
        return f"{self.name} @ {self.refreshed_at}"
