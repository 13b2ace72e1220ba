"""Users, teams (a tree), roles (permissions + data scope) and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.platform.models import TimestampedModel, VersionedModel
from guanxi.platform.scoping import DataScope

DATA_SCOPE_CHOICES = [
    (DataScope.OWN.value, _("Own records")),
    (DataScope.TEAM.value, _("My team")),
    (DataScope.SUBTREE.value, _("My team and sub-teams")),
    (DataScope.ALL.value, _("All records")),
]


class Team(TimestampedModel, VersionedModel):
    """A node in the company tree: company → department → group.

    `path` is the materialised path of ids ("/1/4/9/"), kept by the services, so
    "my team and sub-teams" is one indexed prefix filter.
    """

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    path = models.CharField(_("path"), max_length=500, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Role(TimestampedModel, VersionedModel):
    """Permissions per app and action plus the data scope they apply to."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    data_scope = models.CharField(
        _("data scope"), max_length=20, choices=DATA_SCOPE_CHOICES, default=DataScope.OWN
    )
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_builtin = models.BooleanField(_("built in"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name to show: a built-in role not renamed since install shows its
        label in the reader's language; any other role shows its stored name."""
        from guanxi.accounts.builtin_roles import builtin_role_label

        if self.is_builtin:
            label = builtin_role_label(self.code, self.name)
            if label is not None:
                return label
        return self.name


class User(AbstractUser):
    """A person who signs in. Portal users (customers) come with the portal app."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    display_name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
