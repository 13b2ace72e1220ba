"""The shared pool (公海): claim, release, limits and recycling rules.

A customer or lead with no owner is in the pool. The pool has no table of its own
for that: `owner_id IS NULL` on the record is the truth, so a claim is one
conditional UPDATE (`... WHERE owner_id IS NULL`) and exactly one of two
concurrent claims wins. Around it this app keeps:

- `PoolRule`: per team, the per-rep holding limits and the recycling rules; a rep's
  rule is the one of the nearest team (own, then ancestors) that has one;
- `PoolEvent`: the history (claimed / released / recycled / assigned);
- `CustomerPoolState` / `LeadPoolState`: per record, when its current owner got it
  (the recycling clocks start there, not at an old follow-up), when it last entered
  the pool ("days in pool"), and when its owner was last warned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import TimestampedModel, VersionedModel


class PoolRule(TimestampedModel, VersionedModel):
    """A team's pool settings; applies to its members and to sub-teams without their own."""

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="pool_rule",
    )
    max_customers = models.PositiveIntegerField(
        _("max customers a rep may hold"),
        null=True,
        blank=True,
        help_text=_("Blank: no limit."),
    )
    max_leads = models.PositiveIntegerField(
        _("max leads a rep may hold"), null=True, blank=True, help_text=_("Blank: no limit.")
    )
    recycle_without_follow_up_days = models.PositiveIntegerField(
        _("back to the pool after days without follow-up"),
        null=True,
        blank=True,
        help_text=_("Blank: never for this reason."),
    )
    recycle_without_deal_days = models.PositiveIntegerField(
        _("back to the pool after days without a won deal or order"),
        null=True,
        blank=True,
        help_text=_("Customers only. Blank: never for this reason."),
    )
    warn_days_before = models.PositiveIntegerField(
        _("warn the owner days before"),
        default=3,
        help_text=_("0: no warning."),
    )

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")
        ordering = ["team__path"]

    def __str__(self) -> str:
        return str(self.team)

    @property
    def has_recycling(self) -> bool:
        return bool(self.recycle_without_follow_up_days or self.recycle_without_deal_days)


class PoolEventKind(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    RELEASED = "released", _("Released")
    RECYCLED = "recycled", _("Recycled")
    ASSIGNED = "assigned", _("Assigned")


class RecycleReason(models.TextChoices):
    NO_FOLLOW_UP = "no_follow_up", _("No follow-up")
    NO_DEAL = "no_deal", _("No won deal or order")


class PoolEvent(models.Model):
    """One pool movement of one record. Written in bulk by the nightly job.

    No database foreign-key constraints (Django still cascades and sets null): on
    PostgreSQL the deferred checks of a night's worth of events made each chunk's
    COMMIT the slowest step (like customers.DuplicatePair).
    """

    kind = models.CharField(_("event"), max_length=20, choices=PoolEventKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pool_events",
        db_index=False,  # the (customer, -created_at) index starts with it
        db_constraint=False,
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pool_events",
        db_index=False,
        db_constraint=False,
    )
    # Who held the record after (claimed, assigned) or before (released, recycled).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    rule = models.ForeignKey(
        PoolRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    recycle_reason = models.CharField(
        _("recycle reason"), max_length=20, choices=RecycleReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("pool event")
        verbose_name_plural = _("pool events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="poolevent_customer"),
            models.Index(fields=["lead", "-created_at", "-id"], name="poolevent_lead"),
            models.Index(fields=["-created_at", "-id"], name="poolevent_created"),
            models.Index(fields=["owner", "-created_at", "-id"], name="poolevent_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, lead__isnull=True)
                | Q(customer__isnull=True, lead__isnull=False),
                name="poolevent_one_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def record(self) -> models.Model | None:
        return self.customer if self.customer_id else self.lead


class PoolStateBase(models.Model):
    held_since = models.DateTimeField(_("held since"), null=True, blank=True)
    entered_pool_at = models.DateTimeField(_("in the pool since"), null=True, blank=True)
    warned_at = models.DateTimeField(_("recycling warning sent"), null=True, blank=True)

    class Meta:
        abstract = True


class CustomerPoolState(PoolStateBase):
    """Pool bookkeeping of one customer; no row = never moved through the pool."""

    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="pool_state",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("customer pool state")
        verbose_name_plural = _("customer pool states")

    def __str__(self) -> str:
        return f"customer {self.customer_id}"


class LeadPoolState(PoolStateBase):
    """Pool bookkeeping of one lead (the lead's own `assigned_at` is kept too)."""

    lead = models.OneToOneField(
        "leads.Lead",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="pool_state",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("lead pool state")
        verbose_name_plural = _("lead pool states")

    def __str__(self) -> str:
        return f"lead {self.lead_id}"
