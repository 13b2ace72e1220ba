"""Reads for users, teams and roles. These are staff directory data, visible to
every signed-in staff user (for assignment pickers); editing needs permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from guanxi.accounts.models import ApiToken, Role, Team, User
from guanxi.platform.exceptions import NotFound


def _is_staff_actor(actor: Any) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active


def user_list(
    *,
    actor: Any,
    include_inactive: bool = False,
    query: str = "",
    team_id: int | None = None,
    role_id: int | None = None,
    is_active: bool | None = None,
) -> QuerySet[User]:
    """Staff users, sorted by pinyin. `query` matches username, display name or its
    pinyin; `is_active` (when given) overrides `include_inactive`."""
    if not _is_staff_actor(actor):
        return User.objects.none()
    qs = User.objects.select_related("team", "role")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    elif not include_inactive:
        qs = qs.filter(is_active=True)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(display_name__icontains=query)
            | Q(display_name_pinyin__icontains=query.lower())
        )
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if role_id is not None:
        qs = qs.filter(role_id=role_id)
    return qs.order_by("display_name_pinyin", "username")


def locked_out_usernames(usernames: list[str]) -> set[str]:
    """Which of `usernames` django-axes currently locks out (failures at the limit
    within the cool-off time), so the user list can offer "unlock"."""
    from axes.models import AccessAttempt

    if not usernames:
        return set()
    attempts = AccessAttempt.objects.filter(
        username__in=usernames, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, int | float):
        attempts = attempts.filter(attempt_time__gte=timezone.now() - dt.timedelta(hours=cool_off))
    return set(attempts.values_list("username", flat=True))


def user_get(*, actor: Any, user_id: int) -> User:
    user = user_list(actor=actor, include_inactive=True).filter(pk=user_id).first()
    if user is None:
        raise NotFound("user")
    return user


def team_list(*, actor: Any) -> QuerySet[Team]:
    if not _is_staff_actor(actor):
        return Team.objects.none()
    return Team.objects.select_related("parent", "manager").order_by("path")


def team_list_with_counts(*, actor: Any) -> QuerySet[Team]:
    """Teams in tree order with `member_count` (active users) and `child_count`."""
    return team_list(actor=actor).annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        child_count=Count("children", distinct=True),
    )


def team_get(*, actor: Any, team_id: int) -> Team:
    team = team_list(actor=actor).filter(pk=team_id).first()
    if team is None:
        raise NotFound("team")
    return team


def role_list(*, actor: Any) -> QuerySet[Role]:
    if not _is_staff_actor(actor):
        return Role.objects.none()
    return Role.objects.order_by("id")


def role_list_with_counts(*, actor: Any) -> QuerySet[Role]:
    """Roles with `user_count` (active users holding the role)."""
    return role_list(actor=actor).annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    )


def role_get(*, actor: Any, role_id: int) -> Role:
    role = role_list(actor=actor).filter(pk=role_id).first()
    if role is None:
        raise NotFound("role")
    return role


def role_by_code(code: str) -> Role | None:
    return Role.objects.filter(code=code).first()


def api_token_list(*, actor: Any, user: User) -> QuerySet[ApiToken]:
    if not _is_staff_actor(actor) or actor.pk != user.pk:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def api_token_get(*, actor: Any, user: User, token_id: int) -> ApiToken:
    token = api_token_list(actor=actor, user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFound("API token")
    return token
