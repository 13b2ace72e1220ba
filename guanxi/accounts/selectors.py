"""Reads for users, teams and roles. These are staff directory data, visible to
every signed-in staff user (for assignment pickers); editing needs permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from guanxi.accounts.models import ApiToken, Role, Team, User
from guanxi.platform.exceptions import NotFound


def _is_staff_actor(actor: Any) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active


def user_list(*, actor: Any, include_inactive: bool = False) -> QuerySet[User]:
    if not _is_staff_actor(actor):
        return User.objects.none()
    qs = User.objects.select_related("team", "role")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("display_name_pinyin", "username")


def user_get(*, actor: Any, user_id: int) -> User:
    user = user_list(actor=actor, include_inactive=True).filter(pk=user_id).first()
    if user is None:
        raise NotFound("user")
    return user


def team_list(*, actor: Any) -> QuerySet[Team]:
    if not _is_staff_actor(actor):
        return Team.objects.none()
    return Team.objects.select_related("parent", "manager").order_by("path")


def team_get(*, actor: Any, team_id: int) -> Team:
    team = team_list(actor=actor).filter(pk=team_id).first()
    if team is None:
        raise NotFound("team")
    return team


def role_list(*, actor: Any) -> QuerySet[Role]:
    if not _is_staff_actor(actor):
        return Role.objects.none()
    return Role.objects.order_by("id")


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
