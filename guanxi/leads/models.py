"""线索: lead entry, assignment rules and conversion.

A lead is a person (and maybe their company) who might buy, not yet a customer.
`owner` NULL means the lead sits in the shared pool (公海) of its team (or of the
whole company when `team` is NULL too); the pool app claims and releases them.
A converted lead keeps its row, read-only, pointing at the customer and contact
it became.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel


class LeadSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    WEB_FORM = "web_form", _("Web form")
    REFERRAL = "referral", _("Referral")
    EXHIBITION = "exhibition", _("Exhibition")
    ADVERTISING = "advertising", _("Advertising")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


# Statuses a person may set by editing; "converted" only comes from lead_convert.
EDITABLE_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.DISQUALIFIED,
)


class Lead(TimestampedModel, VersionedModel, SoftDeleteModel):
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)  # E.164
    phone = models.CharField(_("phone"), max_length=40, blank=True)  # E.164
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualify_reason = models.CharField(_("disqualify reason"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_leads",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    # When the current owner got the lead (created, assigned, claimed): the pool's
    # recycling rules count "no follow-up for N days" from here when never followed.
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    last_followed_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("converted to customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("converted to contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("converted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["owner", "-id"], name="lead_owner_id", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(
                fields=["team", "-id"], name="lead_team_id", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(fields=["status", "-id"], name="lead_status_id"),
            models.Index(fields=["source", "-id"], name="lead_source_id"),
            models.Index(fields=["mobile"], name="lead_mobile"),
            models.Index(fields=["owner", "last_followed_at"], name="lead_owner_followed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="disqualified") | ~Q(disqualify_reason=""),
                name="lead_disqualified_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.company}" if self.company else self.name

    @property
    def is_converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED

    @property
    def is_in_pool(self) -> bool:
        return self.owner_id is None


class LeadActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Note")


class LeadActivity(TimestampedModel):
    """A follow-up on a lead (跟进). On conversion each becomes a customer interaction."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("type"), max_length=20, choices=LeadActivityKind.choices)
    content = models.TextField(_("content"))
    occurred_at = models.DateTimeField(_("time"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lead_activities",
    )

    class Meta:
        verbose_name = _("lead follow-up")
        verbose_name_plural = _("lead follow-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["lead", "-occurred_at", "-id"], name="lead_activity_lead")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


class AssignmentMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin among members")
    REGION = "region", _("By region (province)")
    SOURCE = "source", _("By source")


class AssignmentRule(TimestampedModel, VersionedModel):
    """How a team's new unowned leads get an owner.

    Round-robin walks `members` in id order; `last_assigned` is the pointer,
    advanced under a row lock. Region and source rules map a key (province name /
    source code) to a member through AssignmentTarget rows; a lead whose key has no
    entry falls back to round-robin among `members` when there are any, else stays
    in the pool.
    """

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="lead_assignment_rule",
    )
    method = models.CharField(
        _("method"),
        max_length=20,
        choices=AssignmentMethod.choices,
        default=AssignmentMethod.ROUND_ROBIN,
    )
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="lead_assignment_rules",
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead assignment rule")
        verbose_name_plural = _("lead assignment rules")
        ordering = ["team__path"]

    def __str__(self) -> str:
        return f"{self.team} · {self.get_method_display()}"


class AssignmentTarget(models.Model):
    """One entry of a region or source rule: leads with `key` go to `member`."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="targets")
    key = models.CharField(_("province or source"), max_length=50)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment entry")
        verbose_name_plural = _("assignment entries")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], name="assignment_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.member_id}"
