"""Pipelines, stages and opportunities (商机) with the kanban board.

A pipeline is an ordered list of stages; each stage has a win probability and a
kind (open / won / lost). An opportunity sits in one stage of one pipeline; its
`status` mirrors the kind of its stage (moving into a won stage wins it), kept by
the services. `position` orders the cards within a column (smaller first).
Every stage change leaves a StageHistory row with the seconds spent in the stage
it left, so the detail page can show time per stage without replaying audits.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Pipeline(TimestampedModel, VersionedModel):
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="deals_pipeline_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Stage(TimestampedModel):
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=100),
                name="deals_stage_probability_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.kind == StageKind.OPEN


class Opportunity(TimestampedModel, VersionedModel, SoftDeleteModel):
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    amount = models.DecimalField(
        _("amount"), **MONEY, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    expected_close_on = models.DateField(_("expected close date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_opportunities",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    competitors = models.CharField(_("competitors"), max_length=300, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OpportunityStatus.choices,
        default=OpportunityStatus.OPEN,
    )
    lost_reason = models.CharField(_("lost reason"), max_length=300, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    position = models.BigIntegerField(_("position"), default=0)
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
        help_text=_("The lead this opportunity was converted from."),
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
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="deals_opportunity_amount_gte_0"
            )
        ]
        indexes = [
            # The board: one pipeline's live cards, column by column, in card order.
            models.Index(
                fields=["pipeline", "status", "stage", "position", "id"], name="opp_board"
            ),
            # The won/lost columns: recently closed ones, newest first.
            models.Index(
                fields=["pipeline", "status", "stage_entered_at"], name="opp_board_closed"
            ),
            models.Index(fields=["owner", "status", "expected_close_on"], name="opp_owner"),
            models.Index(fields=["team", "status", "expected_close_on"], name="opp_team"),
            models.Index(fields=["customer", "-id"], name="opp_customer"),
            models.Index(fields=["status", "expected_close_on", "id"], name="opp_close"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == OpportunityStatus.OPEN

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * Decimal(self.stage.probability) / 100).quantize(Decimal("0.01"))


class StageHistory(models.Model):
    """One move of an opportunity between stages (the first row has no from_stage)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="stage_history",
    )
    # SET_NULL + the names as they were: a stage deleted later leaves its history readable.
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage,
        verbose_name=_("to stage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_stage_name = models.CharField(_("from stage"), max_length=100, blank=True)
    to_stage_name = models.CharField(_("to stage"), max_length=100)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seconds_in_previous = models.BigIntegerField(_("seconds in the previous stage"), default=0)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at", "id"], name="opp_stage_hist")]

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.to_stage_id}"
