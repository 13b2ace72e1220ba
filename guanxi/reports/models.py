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

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel

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


# --- report builder -------------------------------------------------------------------


class SavedReport(TimestampedModel, VersionedModel, SoftDeleteModel):
    """A report builder definition a user saved (reports/builder/definition.py).

    `definition` is the validated definition as JSON (dimension, measures, filters,
    sort, top N). The report always runs as whoever opens it, within their own data
    scope; a schedule runs it as `owner`. `is_shared` shows it to the owner's team
    (`team`, copied from the owner when saved) read-only.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_reports",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_shared = models.BooleanField(_("shared with my team"), default=False)
    definition = models.JSONField(_("definition"), default=dict)

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "name"], name="savedreport_owner"),
            models.Index(fields=["team", "is_shared"], name="savedreport_team"),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ScheduleFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"
    PDF = "pdf", "PDF"


class ReportSchedule(TimestampedModel, VersionedModel):
    """E-mail a saved report weekly (on `weekday`, 0 = Monday) or monthly (on
    `day_of_month`, the month's last day when it is shorter) to `recipients`.

    `last_sent_period` ("2026-W48" / "2026-11") is claimed with a conditional UPDATE
    before sending, so a period is sent once even when the job runs twice.
    """

    report = models.ForeignKey(
        SavedReport,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=ScheduleFrequency.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=0)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    format = models.CharField(
        _("format"), max_length=10, choices=ScheduleFormat.choices, default=ScheduleFormat.XLSX
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_period = models.CharField(_("last period sent"), max_length=10, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.frequency}"
