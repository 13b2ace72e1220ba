"""Customers (客户), contacts (联系人), tags, custom fields, interactions (跟进记录)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import SoftDeleteModel, TimestampedModel, VersionedModel


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class Grade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New customer")
    ACTIVE = "active", _("Active")
    LOYAL = "loyal", _("Loyal")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    SMS = "sms", _("SMS")
    VISIT = "visit", _("Visit")


class BirthdayCalendar(models.TextChoices):
    SOLAR = "solar", _("Solar (Gregorian)")
    LUNAR = "lunar", _("Lunar (农历)")


class BirthdayMixin(models.Model):
    """A birthday in the solar or the lunar calendar.

    Solar: `birthday` holds the date. Lunar: month/day (and leap-month flag) are
    kept as numbers because lunar day 30 has no solar date of the same digits;
    `birthday` then holds the solar date of the birth if the year is known.
    """

    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_calendar = models.CharField(
        _("birthday calendar"),
        max_length=10,
        choices=BirthdayCalendar.choices,
        default=BirthdayCalendar.SOLAR,
    )
    lunar_birthday_month = models.PositiveSmallIntegerField(
        _("lunar birthday month"), null=True, blank=True
    )
    lunar_birthday_day = models.PositiveSmallIntegerField(
        _("lunar birthday day"), null=True, blank=True
    )
    lunar_birthday_is_leap_month = models.BooleanField(_("leap month"), default=False)

    class Meta:
        abstract = True


class SearchableMixin(models.Model):
    """`search_text` holds the search tokens built in Python (platform.search)."""

    search_text = models.TextField(blank=True, default="", editable=False)
    sort_name = models.CharField(max_length=200, blank=True, default="", editable=False)

    class Meta:
        abstract = True


class TagGroup(TimestampedModel):
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("tag group")
        verbose_name_plural = _("tag groups")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Tag(TimestampedModel, VersionedModel):
    group = models.ForeignKey(
        TagGroup,
        verbose_name=_("tag group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tags",
    )
    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#206bc4")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["group__order", "name"]

    def __str__(self) -> str:
        return self.name


class CustomFieldTarget(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    CONTACT = "contact", _("Contact")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")


class CustomField(TimestampedModel, VersionedModel):
    """An admin-defined field; values live in the record's `custom_fields` JSON by key."""

    target = models.CharField(_("applies to"), max_length=20, choices=CustomFieldTarget.choices)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["target", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="customfield_target_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Customer(TimestampedModel, VersionedModel, SoftDeleteModel, BirthdayMixin, SearchableMixin):
    kind = models.CharField(
        _("type"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    name = models.CharField(_("name"), max_length=200)
    name_pinyin = models.CharField(_("pinyin"), max_length=400, blank=True, editable=False)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.PROSPECT,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    district = models.CharField(_("district"), max_length=50, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, blank=True
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    notes = models.TextField(_("notes"), blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_interaction_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        indexes = [
            # Hot list orderings, each with id as the keyset tiebreaker; partial on
            # live rows so the recycle bin does not bloat them.
            models.Index(
                fields=["owner", "-id"], name="cust_owner_id", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(
                fields=["team", "-id"], name="cust_team_id", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(fields=["sort_name", "id"], name="cust_sort_name"),
            models.Index(fields=["-updated_at", "-id"], name="cust_updated"),
            models.Index(fields=["-created_at", "-id"], name="cust_created"),
            models.Index(fields=["grade"], name="cust_grade"),
            models.Index(fields=["lifecycle_stage"], name="cust_stage"),
            models.Index(fields=["source"], name="cust_source"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimestampedModel, VersionedModel, SoftDeleteModel, BirthdayMixin, SearchableMixin):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    name_pinyin = models.CharField(_("pinyin"), max_length=300, blank=True, editable=False)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    emails = models.JSONField(_("e-mails"), default=list, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["customer", "-is_primary", "id"], name="contact_customer")]

    def __str__(self) -> str:
        return self.name


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    NOTE = "note", _("Note")


class Interaction(TimestampedModel, VersionedModel, SoftDeleteModel):
    """A follow-up record: something that happened with the customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    kind = models.CharField(_("type"), max_length=20, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    content = models.TextField(_("content"))
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    is_follow_up_done = models.BooleanField(_("follow-up done"), default=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="interaction_customer"),
            models.Index(
                fields=["next_follow_up_on", "author"],
                name="interaction_due",
                condition=Q(is_follow_up_done=False, deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_at:%Y-%m-%d}"


class SavedView(TimestampedModel):
    """A user's own saved list filter (query string) for customers or contacts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(_("list"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filter"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DuplicatePairStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Not a duplicate")
    MERGED = "merged", _("Merged")


class PairBase(models.Model):
    """What a customer pair and a contact pair share: the score, the reason codes
    (see customers.duplicates.REASON_LABELS) and the review status."""

    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DuplicatePairStatus.choices,
        default=DuplicatePairStatus.OPEN,
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-score", "id"]


class MergeBase(TimestampedModel):
    """What a customer merge and a contact merge keep for undo: `survivor_before` is
    the survivor's snapshot before the merge, `other_snapshot` the other's; `moved`
    maps a merge handler's name to the ids it moved."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    survivor_before = models.JSONField(default=dict)
    survivor_version_after = models.PositiveIntegerField(default=0)
    other_snapshot = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    # A plain id, not a foreign key: the finder bulk-deletes open pairs on every run
    # and a foreign key would make that a row-by-row delete.
    duplicate_pair_id = models.BigIntegerField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.other_id} → {self.survivor_id}"


class DuplicatePair(PairBase):
    """Two customers the duplicate finder thinks are the same (customer_a.id < customer_b.id).

    `reasons` holds reason codes (see customers.duplicates.REASON_LABELS). A dismissed
    pair stays dismissed when the finder runs again.
    """

    # No index of its own: the unique (customer_a, customer_b) index starts with it, and
    # every extra index slows the finder's bulk insert of a million pairs. No database
    # constraint either: checking two foreign keys per row made the commit of a first
    # run take minutes on PostgreSQL; Django still cascades deletes, and the pages
    # join both customers, so a stray pair would never show.
    customer_a = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    customer_b = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta(PairBase.Meta):
        verbose_name = _("duplicate pair")
        verbose_name_plural = _("duplicate pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"], name="duplicate_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(customer_a__lt=models.F("customer_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score", "id"], name="duplicate_pair_rank")]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id}"


class CustomerMerge(MergeBase):
    """One merge of `other` into `survivor`, with what `customer_merge_undo` needs.

    `survivor_before` is the survivor's snapshot before the merge, `other_snapshot`
    the other's; `moved` maps a merge handler's name to the ids it moved.
    """

    survivor = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")

    class Meta(MergeBase.Meta):
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")


class ContactDuplicatePair(PairBase):
    """Two contacts the duplicate finder thinks are the same person (contact_a.id < contact_b.id).

    Kept apart from DuplicatePair so both keep real foreign keys and their own
    constraints; `reasons` uses the same codes plus `same_customer`.
    """

    # Indexes and constraints as on DuplicatePair, for the same reasons.
    contact_a = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    contact_b = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta(PairBase.Meta):
        verbose_name = _("duplicate contact pair")
        verbose_name_plural = _("duplicate contact pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["contact_a", "contact_b"], name="contact_duplicate_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(contact_a__lt=models.F("contact_b")),
                name="contact_duplicate_pair_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score", "id"], name="contact_duplicate_pair_rank")
        ]

    def __str__(self) -> str:
        return f"{self.contact_a_id} ~ {self.contact_b_id}"


class ContactMerge(MergeBase):
    """One merge of contact `other` into `survivor` (same customer), with what undo needs."""

    survivor = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta(MergeBase.Meta):
        verbose_name = _("contact merge")
        verbose_name_plural = _("contact merges")
