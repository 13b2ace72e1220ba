"""Writes for users, teams, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import ApiToken, Role, Team, User
from guanxi.accounts.permissions import MANAGE_ROLES, MANAGE_TEAMS, MANAGE_USERS
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.permissions import (
    ALL_PERMISSIONS,
    forget_cached_permissions,
    has_permission,
    is_registered,
)
from guanxi.platform.text import pinyin_of
from guanxi.platform.versioning import ensure_version, lock_current

NOT_ALLOWED = _("You do not have permission to do this.")
INVALID_INPUT = _("Please correct the errors below.")
USERNAME_TAKEN = _("This username is already taken.")
TEAM_CYCLE = _("A team cannot be placed under itself or one of its sub-teams.")
TEAM_NOT_EMPTY = _("This team still has members or sub-teams.")
UNKNOWN_PERMISSION = _("Unknown permission: %(code)s")
ROLE_CODE_TAKEN = _("A role with this code already exists.")
WRONG_PASSWORD = _("Your current password is not correct.")
TOKEN_NAME_REQUIRED = _("Give the token a name.")
SELF_DEACTIVATE = _("You cannot deactivate your own account.")

USER_FIELDS = [
    "username",
    "display_name",
    "email",
    "phone",
    "team",
    "role",
    "language",
    "time_zone",
    "is_active",
]
TEAM_FIELDS = ["name", "parent", "manager"]
ROLE_FIELDS = ["code", "name", "description", "data_scope", "permissions"]


def _require(actor: Any, code: str) -> None:
    if not has_permission(actor, code):
        raise PermissionDenied(str(NOT_ALLOWED))


def _full_clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as error:
        raise ValidationError.from_django(error, str(INVALID_INPUT)) from error


# --- users -----------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    role: Role | None = None,
    team: Team | None = None,
    language: str = "zh-hans",
    is_superuser: bool = False,
) -> User:
    """Create a staff user. Needs accounts.manage_user unless `actor` is None (CLI/setup)."""
    if actor is not None:
        _require(actor, MANAGE_USERS)
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(str(INVALID_INPUT), field_errors={"username": [str(USERNAME_TAKEN)]})
    user = User(
        username=username,
        display_name=(display_name or "").strip(),
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        role=role,
        team=team,
        language=language,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.display_name_pinyin = pinyin_of(user.display_name)
    _full_clean(user, exclude=["password"])
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"password": list(error.messages)}
        ) from error
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="accounts.user.created",
        instance=user,
        changes={"after": snapshot(user, USER_FIELDS)},
    )
    return user


@transaction.atomic
def user_update(
    *, actor: Any, user: User, expected_version: int | None = None, **changes: Any
) -> User:
    """Edit a user. Admins edit anyone; a user may edit their own name, language, zone."""
    self_editable = {"display_name", "email", "phone", "language", "time_zone"}
    if not (actor is not None and actor.pk == user.pk and set(changes) <= self_editable):
        _require(actor, MANAGE_USERS)
    if changes.get("is_active") is False and actor is not None and actor.pk == user.pk:
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"is_active": [str(SELF_DEACTIVATE)]}
        )
    # Views pass request.user, a SimpleLazyObject: lock through the model itself.
    current = User.objects.select_for_update().get(pk=user.pk)
    ensure_version(current, expected_version, compare_fields=USER_FIELDS)
    before = snapshot(current, USER_FIELDS)
    for name, value in changes.items():
        if name not in USER_FIELDS:
            raise ValidationError(str(INVALID_INPUT), field_errors={name: ["unknown field"]})
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if (
        "username" in changes
        and User.objects.filter(username__iexact=current.username).exclude(pk=current.pk).exists()
    ):
        raise ValidationError(str(INVALID_INPUT), field_errors={"username": [str(USERNAME_TAKEN)]})
    current.display_name_pinyin = pinyin_of(current.display_name)
    _full_clean(current, exclude=["password"])
    current.version += 1
    current.save()
    forget_cached_permissions(current)
    audit_record(
        actor=actor,
        action="accounts.user.updated",
        instance=current,
        changes=diff(before, snapshot(current, USER_FIELDS)),
    )
    return current


@transaction.atomic
def user_set_password(
    *, actor: Any, user: User, new_password: str, old_password: str | None = None
) -> User:
    """Change a password: one's own with the old password, anyone's as a user admin."""
    if actor is None or actor.pk != user.pk:
        _require(actor, MANAGE_USERS)
    elif not user.check_password(old_password or ""):
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"old_password": [str(WRONG_PASSWORD)]}
        )
    try:
        validate_password(new_password, user)
    except DjangoValidationError as error:
        raise ValidationError(
            str(INVALID_INPUT), field_errors={"new_password": list(error.messages)}
        ) from error
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="accounts.user.password_changed", instance=user)
    return user


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> int:
    """Clear the failed-login record that locks `user` out (django-axes), so the
    next correct password works at once. Returns how many records were removed;
    an audit entry is written either way, since an admin chose to act."""
    _require(actor, MANAGE_USERS)
    removed = axes_reset(username=user.username)
    audit_record(
        actor=actor,
        action="accounts.user.unlocked",
        instance=user,
        changes={"failed_attempt_records_removed": removed},
    )
    return removed


# --- teams -----------------------------------------------------------------


def _team_path(team: Team) -> tuple[str, int]:
    if team.parent_id is None:
        return f"/{team.pk}/", 0
    parent = Team.objects.get(pk=team.parent_id)
    return f"{parent.path}{team.pk}/", parent.depth + 1


@transaction.atomic
def team_create(
    *, actor: Any, name: str, parent: Team | None = None, manager: User | None = None
) -> Team:
    if actor is not None:
        _require(actor, MANAGE_TEAMS)
    team = Team(name=(name or "").strip(), parent=parent, manager=manager, path="/")
    _full_clean(team, exclude=["path"])
    team.save()
    team.path, team.depth = _team_path(team)
    team.save(update_fields=["path", "depth"])
    audit_record(
        actor=actor,
        action="accounts.team.created",
        instance=team,
        changes={"after": snapshot(team, TEAM_FIELDS)},
    )
    return team


@transaction.atomic
def team_update(
    *, actor: Any, team: Team, expected_version: int | None = None, **changes: Any
) -> Team:
    """Rename, move or change the manager; moving re-paths the whole subtree."""
    _require(actor, MANAGE_TEAMS)
    current = lock_current(team)
    ensure_version(current, expected_version, compare_fields=TEAM_FIELDS)
    before = snapshot(current, TEAM_FIELDS)
    old_path = current.path
    for name, value in changes.items():
        if name not in TEAM_FIELDS:
            raise ValidationError(str(INVALID_INPUT), field_errors={name: ["unknown field"]})
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if current.parent_id is not None:
        parent = Team.objects.get(pk=current.parent_id)
        if parent.path.startswith(old_path):
            raise ValidationError(str(INVALID_INPUT), field_errors={"parent": [str(TEAM_CYCLE)]})
    _full_clean(current, exclude=["path"])
    current.path, current.depth = _team_path(current)
    current.version += 1
    current.save()
    if current.path != old_path:
        for descendant in Team.objects.filter(path__startswith=old_path).exclude(pk=current.pk):
            descendant.path = current.path + descendant.path[len(old_path) :]
            descendant.depth = descendant.path.count("/") - 2
            descendant.save(update_fields=["path", "depth"])
    audit_record(
        actor=actor,
        action="accounts.team.updated",
        instance=current,
        changes=diff(before, snapshot(current, TEAM_FIELDS)),
    )
    return current


@transaction.atomic
def team_delete(*, actor: Any, team: Team) -> None:
    """Delete an empty team (teams are structure, not customer data: no recycle bin)."""
    _require(actor, MANAGE_TEAMS)
    if team.children.exists() or team.members.exists():
        raise ValidationError(str(TEAM_NOT_EMPTY), field_errors={"__all__": [str(TEAM_NOT_EMPTY)]})
    audit_record(
        actor=actor,
        action="accounts.team.deleted",
        instance=team,
        changes={"before": snapshot(team, TEAM_FIELDS)},
    )
    team.delete()


# --- roles -----------------------------------------------------------------


def _clean_permissions(codes: list[str]) -> list[str]:
    cleaned = sorted(set(codes))
    unknown = [c for c in cleaned if c != ALL_PERMISSIONS and not is_registered(c)]
    if unknown:
        raise ValidationError(
            str(INVALID_INPUT),
            field_errors={"permissions": [str(UNKNOWN_PERMISSION) % {"code": c} for c in unknown]},
        )
    return cleaned


@transaction.atomic
def role_create(
    *,
    actor: Any,
    code: str,
    name: str,
    data_scope: str,
    permissions: list[str],
    description: str = "",
) -> Role:
    _require(actor, MANAGE_ROLES)
    if Role.objects.filter(code=code).exists():
        raise ValidationError(str(INVALID_INPUT), field_errors={"code": [str(ROLE_CODE_TAKEN)]})
    role = Role(
        code=(code or "").strip(),
        name=(name or "").strip(),
        description=(description or "").strip(),
        data_scope=data_scope,
        permissions=_clean_permissions(permissions),
    )
    _full_clean(role)
    role.save()
    audit_record(
        actor=actor,
        action="accounts.role.created",
        instance=role,
        changes={"after": snapshot(role, ROLE_FIELDS)},
    )
    return role


@transaction.atomic
def role_update(
    *, actor: Any, role: Role, expected_version: int | None = None, **changes: Any
) -> Role:
    _require(actor, MANAGE_ROLES)
    current = lock_current(role)
    ensure_version(current, expected_version, compare_fields=ROLE_FIELDS)
    before = snapshot(current, ROLE_FIELDS)
    for name, value in changes.items():
        if name not in ROLE_FIELDS or (name == "code" and current.is_builtin):
            raise ValidationError(str(INVALID_INPUT), field_errors={name: ["not editable"]})
        if name == "permissions":
            value = _clean_permissions(value)
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _full_clean(current)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="accounts.role.updated",
        instance=current,
        changes=diff(before, snapshot(current, ROLE_FIELDS)),
    )
    return current


# --- API tokens --------------------------------------------------------------

TOKEN_PREFIX = "gx_"


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns (token, key). The key is not stored and cannot be shown again."""
    if actor is None or actor.pk != user.pk:
        _require(actor, MANAGE_USERS)
    name = (name or "").strip()
    if not name:
        raise ValidationError(str(INVALID_INPUT), field_errors={"name": [str(TOKEN_NAME_REQUIRED)]})
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:100], prefix=key[:12], key_hash=hash_token_key(key))
    _full_clean(token)
    token.save()
    audit_record(actor=actor, action="accounts.api_token.created", instance=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor is None or actor.pk != token.user_id:
        _require(actor, MANAGE_USERS)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.api_token.revoked", instance=token)
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user a key belongs to, or None. Touches last_used_at at most once a minute."""
    if not key or not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__role", "user__team")
        .filter(key_hash=hash_token_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- set-up ------------------------------------------------------------------


@transaction.atomic
def builtin_roles_ensure() -> dict[str, Role]:
    """Create the built-in roles that are missing (never overwrites edits)."""
    from guanxi.accounts.builtin_roles import BUILTIN_ROLE_STORED_NAMES, BUILTIN_ROLES

    roles: dict[str, Role] = {}
    for spec in BUILTIN_ROLES:
        role, _created = Role.objects.get_or_create(
            code=spec["code"],
            defaults={
                # Stored like migration 0002 does; Role.display_name translates it.
                "name": BUILTIN_ROLE_STORED_NAMES[spec["code"]],
                "data_scope": spec["data_scope"],
                "permissions": spec["permissions"],
                "is_builtin": True,
            },
        )
        roles[role.code] = role
    return roles
