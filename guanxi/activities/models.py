"""Tasks (待办), meetings (会议) and calendar feed tokens.

A task points at the record it is about through one nullable foreign key per
kind (customer, meeting; leads, opportunities and contracts add theirs), so scoping
can join through it; see docs/decisions.md and docs/activities.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Task(TimestampedModel, VersionedModel, SoftDeleteModel):
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    due_on = models.DateField(_("due date"))
    due_time = models.TimeField(_("due time"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_tasks",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    meeting = models.ForeignKey(
        "activities.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_tasks",
    )
    # Minutes before the due moment (its time, else 09:00); remind_at is derived by
    # the services, reminded_at is set once the reminder went out.
    remind_minutes_before = models.PositiveIntegerField(
        _("reminder (minutes before)"), null=True, blank=True
    )
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on", "id"], name="task_assignee_due"),
            models.Index(fields=["customer", "due_on", "id"], name="task_customer_due"),
            models.Index(
                fields=["lead", "due_on"], name="task_lead_due", condition=Q(lead__isnull=False)
            ),
            models.Index(
                fields=["opportunity", "due_on"],
                name="task_opportunity_due",
                condition=Q(opportunity__isnull=False),
            ),
            models.Index(
                fields=["contract", "due_on"],
                name="task_contract_due",
                condition=Q(contract__isnull=False),
            ),
            models.Index(fields=["status", "due_on", "id"], name="task_status_due"),
            models.Index(fields=["created_by", "due_on", "id"], name="task_creator_due"),
            models.Index(
                fields=["remind_at"],
                name="task_reminder_due",
                condition=Q(remind_at__isnull=False, reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(TimestampedModel, VersionedModel, SoftDeleteModel):
    """A meeting with colleagues and/or a customer's contacts; minutes come afterwards.

    The agenda is a JSON list of short texts (ordered, edited as a whole with the
    meeting; nothing else refers to one item, so no table of its own).
    """

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    is_all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        blank=True,
        related_name="meetings",
    )
    contacts = models.ManyToManyField(
        "customers.Contact",
        verbose_name=_("contacts"),
        blank=True,
        related_name="meetings",
    )
    agenda = models.JSONField(_("agenda"), default=list, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_meetings",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organiser", "starts_at", "id"], name="meeting_organiser_start"),
            models.Index(fields=["customer", "starts_at", "id"], name="meeting_customer_start"),
            models.Index(fields=["starts_at", "id"], name="meeting_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CalendarFeedToken(TimestampedModel):
    """A user's secret iCalendar feed address. Only the SHA-256 of the token is
    stored; regenerating revokes the previous token (kept for the record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feed_token_one_live"
            ),
        ]
