"""Contracts, payment plans (回款计划) and payments received (回款).

A contract's number comes from the one `ContractSequence` row (pattern + counter,
taken under a row lock). Payments are applied to a contract's instalments in
sequence order (first in, first out), as finance departments do; an instalment's
status (unpaid / partly / paid / overdue) is derived in SQL from that allocation
(selectors.instalments_with_status), never stored. See docs/contracts.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel

MONEY = {"max_digits": 14, "decimal_places": 2}
DEFAULT_PATTERN = "HT-{yyyy}-{seq:05}"


class SequenceReset(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    NEVER = "never", _("Never")


class ContractSequence(TimestampedModel, VersionedModel):
    """The numbering of contracts: one row (pk=1), edited on the settings page."""

    pattern = models.CharField(_("pattern"), max_length=60, default=DEFAULT_PATTERN)
    reset = models.CharField(
        _("restart numbering"),
        max_length=10,
        choices=SequenceReset.choices,
        default=SequenceReset.YEARLY,
    )
    period = models.CharField(_("current period"), max_length=10, blank=True)
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("contract number sequence")
        verbose_name_plural = _("contract number sequences")

    def __str__(self) -> str:
        return self.pattern


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("In approval")
    SIGNED = "signed", _("Signed")
    FINISHED = "finished", _("Finished")
    TERMINATED = "terminated", _("Terminated")


# Contracts whose unpaid amount is money the customer owes (receivables).
RECEIVABLE_STATUSES = (ContractStatus.SIGNED, ContractStatus.FINISHED)


class Contract(TimestampedModel, VersionedModel, SoftDeleteModel):
    number = models.CharField(_("number"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    opportunity = models.ForeignKey(
        "deals.Opportunity",
        verbose_name=_("opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    quote = models.ForeignKey(
        "sales.Quote",
        verbose_name=_("quote"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_contracts",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    # Kept by the payment services under the contract's row lock, so lists and the
    # receivables report read money without summing payments row by row.
    received_amount = models.DecimalField(_("received"), default=0, **MONEY)
    planned_amount = models.DecimalField(_("in the payment plan"), default=0, **MONEY)
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("end date"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    terminated_reason = models.TextField(_("termination reason"), blank=True)
    remind_days_before_end = models.PositiveSmallIntegerField(
        _("renewal reminder (days before the end)"), default=30
    )
    renewal_reminded_at = models.DateTimeField(_("renewal reminder sent"), null=True, blank=True)
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
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="contract_dates_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-id"], name="contract_customer"),
            models.Index(fields=["owner", "status", "-id"], name="contract_owner_status"),
            models.Index(fields=["team", "-id"], name="contract_team"),
            models.Index(fields=["status", "end_on", "id"], name="contract_status_end"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ApprovalAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ContractApproval(models.Model):
    """One step of a contract's approval: who submitted, approved or rejected, and why."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="approvals"
    )
    action = models.CharField(_("action"), max_length=20, choices=ApprovalAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract approval step")
        verbose_name_plural = _("contract approval steps")
        ordering = ["contract", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.action}"


class ContractFile(TimestampedModel, SoftDeleteModel):
    """An attachment; the bytes live under GUANXI_DATA_DIR/contracts/, never in static."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=10)  # pdf, docx, xlsx, jpg, png
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_path = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("contract file")
        verbose_name_plural = _("contract files")
        ordering = ["contract", "id"]

    def __str__(self) -> str:
        return self.name


class PaymentPlan(TimestampedModel):
    """One instalment of a contract's payment plan (回款计划)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="instalments"
    )
    sequence = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    # The sum of the instalments before this one (written with the plan): payments
    # cover this instalment once they pass it.
    before_amount = models.DecimalField(default=0, **MONEY)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment plan instalment")
        verbose_name_plural = _("payment plan instalments")
        ordering = ["contract", "sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="instalment_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
        ]
        indexes = [models.Index(fields=["due_on", "contract"], name="instalment_due")]

    def __str__(self) -> str:
        return f"{self.contract_id}#{self.sequence}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CHEQUE = "cheque", _("Cheque")
    OTHER = "other", _("Other")


class Payment(TimestampedModel, SoftDeleteModel):
    """Money received against a contract (回款)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="payments"
    )
    instalment = models.ForeignKey(
        PaymentPlan,
        verbose_name=_("instalment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    method = models.CharField(
        _("method"),
        max_length=20,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["contract", "-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["contract", "received_on"], name="payment_contract"),
            models.Index(fields=["-received_on", "-id"], name="payment_received"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.amount}"
