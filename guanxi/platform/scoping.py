"""The one scoping function every read of customer-owned data starts from.

`scoped(qs, actor=user)` returns only the rows the actor may see for `action`:
 - no permission `<app>.<action>_<model>`  -> nothing;
 - role data scope "all"                   -> every row;
 - "subtree" (my team and sub-teams)       -> rows whose team is in the actor's
                                              team subtree, or owned by the actor;
 - "team"                                   -> rows of the actor's own team, or own;
 - "own"                                    -> rows the actor owns.
Soft-deleted rows are left out unless `include_deleted=True` (the recycle bin).

Models take part by registering where their owner and team live, directly or
through a parent (a contact is visible when its customer is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

from guanxi.platform.permissions import has_permission

ModelT = TypeVar("ModelT", bound=models.Model)


class DataScope(models.TextChoices):
    OWN = "own", "own"
    TEAM = "team", "team"
    SUBTREE = "subtree", "subtree"
    ALL = "all", "all"


@dataclass(frozen=True)
class ScopeSpec:
    """Lookup paths from a model to the owning user and team, e.g. "customer__owner"."""

    owner_path: str
    team_path: str
    deleted_paths: tuple[str, ...]


_specs: dict[type[models.Model], ScopeSpec] = {}


def register_scope(
    model: type[models.Model],
    *,
    owner_path: str,
    team_path: str,
    deleted_paths: tuple[str, ...] = (),
) -> None:
    _specs[model] = ScopeSpec(owner_path, team_path, deleted_paths)


def scope_spec(model: type[models.Model]) -> ScopeSpec:
    try:
        return _specs[model]
    except KeyError as error:
        raise LookupError(f"{model._meta.label} is not registered for scoping") from error


def permission_code(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def data_scope_of(actor: Any) -> str:
    if actor.is_superuser:
        return DataScope.ALL
    role = getattr(actor, "role", None)
    return role.data_scope if role is not None else DataScope.OWN


def is_own_scope(actor: Any) -> bool:
    """Whether the actor's data scope holds only their own records: scope "own", or a
    team scope without a team."""
    scope = data_scope_of(actor)
    return scope == DataScope.OWN or (
        scope != DataScope.ALL and getattr(actor, "team", None) is None
    )


def people_scope(actor: Any) -> Q:
    """The people whose records the actor's data scope covers, as a condition on users:
    everybody (Q()) for "all", only the actor for an own scope, else the actor's team
    ("team") or team and sub-teams ("team and below"); the actor is always in it."""
    if data_scope_of(actor) == DataScope.ALL:
        return Q()
    return Q(pk=actor.pk) if is_own_scope(actor) else _covered_teams(actor, team="team")


def team_scope(actor: Any) -> Q:
    """The teams the actor's data scope covers, as a condition on teams: every team
    (Q()) for "all", none for an own scope, else the actor's team (and sub-teams)."""
    if data_scope_of(actor) == DataScope.ALL:
        return Q()
    return Q(pk__in=[]) if is_own_scope(actor) else _covered_teams(actor, team="")


def _covered_teams(actor: Any, *, team: str) -> Q:
    """For a team scope with a team: the actor's team ("team") or its whole subtree
    ("team and below"), as a condition on the `team` relation ("" for teams)."""
    if data_scope_of(actor) == DataScope.TEAM:
        return Q(**{f"{team}_id" if team else "pk": actor.team.pk})
    return Q(**{f"{team}__path__startswith" if team else "path__startswith": actor.team.path})


def covers_team(actor: Any, team: Any) -> bool:
    """Whether the actor's data scope covers the records of `team` (None: no team)."""
    scope = data_scope_of(actor)
    if scope == DataScope.ALL:
        return True
    if team is None or is_own_scope(actor):
        return False
    if scope == DataScope.TEAM:
        return team.pk == actor.team.pk
    return str(team.path).startswith(actor.team.path)


def scope_condition(model: type[models.Model], actor: Any) -> Q | None:
    """The row filter for the actor's data scope; None means no restriction."""
    spec = scope_spec(model)
    scope = data_scope_of(actor)
    if scope == DataScope.ALL:
        return None
    own = Q(**{f"{spec.owner_path}_id": actor.pk})
    if is_own_scope(actor):
        return own
    return own | _covered_teams(actor, team=spec.team_path)


def may_act(actor: Any, model: type[models.Model], action: str = "view") -> bool:
    """An active, signed-in actor with the permission for `action` on `model`: the
    check `scoped()` makes before it applies the data scope."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return has_permission(actor, permission_code(model, action))


def scoped(
    qs: QuerySet[ModelT],
    *,
    actor: Any,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[ModelT]:
    model = qs.model
    if not may_act(actor, model, action):
        return qs.none()
    spec = scope_spec(model)
    if not include_deleted:
        for path in spec.deleted_paths:
            qs = qs.filter(**{f"{path}__isnull": True})
    condition = scope_condition(model, actor)
    if condition is not None:
        qs = qs.filter(condition)
    return qs


def is_in_scope(instance: models.Model, *, actor: Any, action: str = "view") -> bool:
    model = type(instance)
    return scoped(
        model._default_manager.filter(pk=instance.pk), actor=actor, action=action
    ).exists()


def is_restorable(instance: models.Model, *, actor: Any) -> bool:
    """The actor may delete/restore this row, and no parent of it is in the recycle bin
    (a contact comes back with its customer, not on its own)."""
    model = type(instance)
    qs = scoped(
        model._default_manager.filter(pk=instance.pk),
        actor=actor,
        action="delete",
        include_deleted=True,
    )
    for path in scope_spec(model).deleted_paths:
        if path != "deleted_at":
            qs = qs.filter(**{f"{path}__isnull": True})
    return qs.exists()
