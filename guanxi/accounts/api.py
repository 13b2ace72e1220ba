"""REST API for sign-in tokens, the current user (`me`), users and teams.

Users and teams are staff directory data every signed-in user may read (for
assignment pickers); changing them needs accounts.manage_user / manage_team,
enforced by the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.accounts import selectors, services
from guanxi.accounts.models import Team, User
from guanxi.accounts.permissions import MANAGE_USERS
from guanxi.accounts.schemas import (
    MeOut,
    TeamIn,
    TeamListOut,
    TeamOut,
    TeamPatchIn,
    TokenIn,
    TokenOut,
    UserFilter,
    UserIn,
    UserListOut,
    UserOut,
    UserPatchIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS, ProblemOut, problem_response
from guanxi.platform.api_support import Id, IfMatch, changes_of, expected_version, set_etag
from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError
from guanxi.platform.permissions import (
    ALL_PERMISSIONS,
    has_permission,
    permission_codes_of,
    registered_permissions,
)
from guanxi.platform.scoping import data_scope_of

router = Router(tags=["accounts"])

USER_TAGS = ["users"]
TEAM_TAGS = ["teams"]


# --- sign-in -----------------------------------------------------------------------


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 400: ProblemOut, 401: ProblemOut, 422: ProblemOut, 429: ProblemOut},
    tags=["auth"],
)
def auth_token_create(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange a username and password for a personal API token (shown once).

    Failures count towards the login lockout like the sign-in page's.
    """
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in problem+json ourselves instead of axes' HTML lockout page.
        request.axes_locked_out = False
        return problem_response(
            status=429,
            code="locked_out",
            detail=_("Too many failed sign-in attempts. Try again later."),
        )
    if user is None or not user.is_active:
        return problem_response(
            status=401,
            code="invalid_credentials",
            detail=_("Wrong username or password."),
        )
    name = payload.name.strip() or f"API login {timezone.localdate().isoformat()}"
    token, key = services.api_token_create(actor=user, user=user, name=name)
    return {"token": key, "name": token.name, "prefix": token.prefix}


@router.delete("/auth/token", response={204: None, **WRITE_ERRORS}, tags=["auth"])
def auth_token_delete(request: HttpRequest) -> Status:
    """Revoke the Bearer token this request was made with (sign out of the API)."""
    key = getattr(request, "api_token_key", None)
    if key is None:
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={"Authorization": [_("Send the token to revoke as a Bearer token.")]},
        )
    token = (
        selectors.api_token_list(actor=request.user, user=request.user)
        .filter(key_hash=services.hash_token_key(key))
        .first()
    )
    if token is not None:
        services.api_token_revoke(actor=request.user, token=token)
    return Status(204, None)


# --- me ------------------------------------------------------------------------------


def _permission_list(user: Any) -> list[str]:
    codes = permission_codes_of(user)
    if ALL_PERMISSIONS in codes:
        return sorted(p.code for p in registered_permissions())
    return sorted(codes)


@router.get("/me", response={200: MeOut, **READ_ERRORS}, tags=["auth"])
def me_get(request: HttpRequest) -> dict[str, Any]:
    """Who you are: your role code, data scope and permissions."""
    user = request.user
    role = user.role
    team = user.team
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "language": user.language,
        "time_zone": user.time_zone,
        "role": role.code if role is not None else None,
        "role_name": role.name if role is not None else None,
        "data_scope": str(data_scope_of(user)),
        "team": user.team_id,
        "team_name": team.name if team is not None else None,
        "is_superuser": user.is_superuser,
        "permissions": _permission_list(user),
    }


# --- users -----------------------------------------------------------------------------


def _user_out(user: User) -> dict[str, Any]:
    role = user.role
    team = user.team
    return {
        "id": user.pk,
        "version": user.version,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "phone": user.phone,
        "role": role.code if role is not None else None,
        "role_name": role.name if role is not None else None,
        "team": user.team_id,
        "team_name": team.name if team is not None else None,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_active": user.is_active,
        "last_login": user.last_login,
    }


def _require_user_admin(request: HttpRequest) -> None:
    if not has_permission(request.user, MANAGE_USERS):
        raise PermissionDenied(_("You do not have permission to do this."))


def _role_for(code: str | None) -> Any:
    if code is None:
        return None
    role = selectors.role_by_code(code)
    if role is None:
        raise ValidationError(
            _("Please correct the errors below."), field_errors={"role": [_("Unknown role.")]}
        )
    return role


def _team_for(request: HttpRequest, team_id: int | None, field: str = "team") -> Team | None:
    if team_id is None:
        return None
    try:
        return selectors.team_get(actor=request.user, team_id=team_id)
    except NotFound as error:
        raise ValidationError(
            _("Please correct the errors below."), field_errors={field: [_("Unknown team.")]}
        ) from error


def _user_for(request: HttpRequest, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    try:
        return selectors.user_get(actor=request.user, user_id=user_id)
    except NotFound as error:
        raise ValidationError(
            _("Please correct the errors below."), field_errors={field: [_("Unknown user.")]}
        ) from error


@router.get("/users", response={200: UserListOut, **READ_ERRORS}, tags=USER_TAGS)
def user_list(request: HttpRequest, filters: Query[UserFilter]) -> dict[str, Any]:
    users = selectors.user_list(actor=request.user, include_inactive=filters.include_inactive)
    return {"items": [_user_out(u) for u in users]}


@router.get("/users/{user_id}", response={200: UserOut, **READ_ERRORS}, tags=USER_TAGS)
def user_get(request: HttpRequest, user_id: Id, response: HttpResponse) -> Any:
    user = selectors.user_get(actor=request.user, user_id=user_id)
    set_etag(response, user.version)
    return _user_out(user)


@router.post("/users", response={201: UserOut, **WRITE_ERRORS}, tags=USER_TAGS)
def user_create(request: HttpRequest, payload: UserIn, response: HttpResponse) -> Status:
    """Create a staff user (admins only). `role` is a role code such as "sales"."""
    _require_user_admin(request)
    user = services.user_create(
        actor=request.user,
        username=payload.username,
        password=payload.password,
        display_name=payload.display_name,
        email=payload.email,
        phone=payload.phone,
        role=_role_for(payload.role),
        team=_team_for(request, payload.team),
        language=payload.language,
    )
    user = selectors.user_get(actor=request.user, user_id=user.pk)
    set_etag(response, user.version)
    return Status(201, _user_out(user))


@router.patch("/users/{user_id}", response={200: UserOut, **WRITE_ERRORS}, tags=USER_TAGS)
def user_update(
    request: HttpRequest,
    user_id: Id,
    payload: UserPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Admins edit anyone; you may edit your own name, e-mail, phone, language and zone."""
    user = selectors.user_get(actor=request.user, user_id=user_id)
    changes = changes_of(payload, exclude={"version"})
    if "role" in changes:
        changes["role"] = _role_for(changes["role"])
    if "team" in changes:
        changes["team"] = _team_for(request, changes["team"])
    services.user_update(
        actor=request.user,
        user=user,
        expected_version=expected_version(if_match, payload.version),
        **changes,
    )
    user = selectors.user_get(actor=request.user, user_id=user_id)
    set_etag(response, user.version)
    return _user_out(user)


# --- teams -------------------------------------------------------------------------------


def _team_out(team: Team) -> dict[str, Any]:
    manager = team.manager
    return {
        "id": team.pk,
        "version": team.version,
        "name": team.name,
        "parent": team.parent_id,
        "manager": team.manager_id,
        "manager_name": str(manager) if manager is not None else None,
        "path": team.path,
        "depth": team.depth,
    }


@router.get("/teams", response={200: TeamListOut, **READ_ERRORS}, tags=TEAM_TAGS)
def team_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": [_team_out(t) for t in selectors.team_list(actor=request.user)]}


@router.get("/teams/{team_id}", response={200: TeamOut, **READ_ERRORS}, tags=TEAM_TAGS)
def team_get(request: HttpRequest, team_id: Id, response: HttpResponse) -> Any:
    team = selectors.team_get(actor=request.user, team_id=team_id)
    set_etag(response, team.version)
    return _team_out(team)


@router.post("/teams", response={201: TeamOut, **WRITE_ERRORS}, tags=TEAM_TAGS)
def team_create(request: HttpRequest, payload: TeamIn, response: HttpResponse) -> Status:
    team = services.team_create(
        actor=request.user,
        name=payload.name,
        parent=_team_for(request, payload.parent, "parent"),
        manager=_user_for(request, payload.manager, "manager"),
    )
    team = selectors.team_get(actor=request.user, team_id=team.pk)
    set_etag(response, team.version)
    return Status(201, _team_out(team))


@router.patch("/teams/{team_id}", response={200: TeamOut, **WRITE_ERRORS}, tags=TEAM_TAGS)
def team_update(
    request: HttpRequest,
    team_id: Id,
    payload: TeamPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    team = selectors.team_get(actor=request.user, team_id=team_id)
    changes = changes_of(payload, exclude={"version"})
    if "parent" in changes:
        changes["parent"] = _team_for(request, changes["parent"], "parent")
    if "manager" in changes:
        changes["manager"] = _user_for(request, changes["manager"], "manager")
    services.team_update(
        actor=request.user,
        team=team,
        expected_version=expected_version(if_match, payload.version),
        **changes,
    )
    team = selectors.team_get(actor=request.user, team_id=team_id)
    set_etag(response, team.version)
    return _team_out(team)


@router.delete("/teams/{team_id}", response={204: None, **WRITE_ERRORS}, tags=TEAM_TAGS)
def team_delete(request: HttpRequest, team_id: Id) -> Status:
    """Delete an empty team (no members, no sub-teams)."""
    services.team_delete(
        actor=request.user, team=selectors.team_get(actor=request.user, team_id=team_id)
    )
    return Status(204, None)
