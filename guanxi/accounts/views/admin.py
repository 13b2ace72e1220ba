"""Admin screens for users, teams and roles (each guarded by its permission)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.accounts import selectors, services
from guanxi.accounts.forms import (
    RoleCreateForm,
    RoleForm,
    SetPasswordForm,
    TeamCreateForm,
    TeamForm,
    UserCreateForm,
    UserFilterForm,
    UserUpdateForm,
)
from guanxi.accounts.models import DATA_SCOPE_CHOICES, Role, Team
from guanxi.accounts.permissions import MANAGE_ROLES, MANAGE_TEAMS, MANAGE_USERS
from guanxi.accounts.views.common import conflict_rows, permission_required, with_version
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import ALL_PERMISSIONS, registered_permissions

USERS_PER_PAGE = 50
USER_EDIT_FIELDS = [
    "username",
    "display_name",
    "email",
    "phone",
    "role",
    "team",
    "language",
    "time_zone",
]


def _get_or_404(getter: Any, **kwargs: Any) -> Any:
    try:
        return getter(**kwargs)
    except NotFound as error:
        raise Http404(str(error)) from error


def _names_by_id(queryset: Any) -> Any:
    names = {obj.pk: str(obj) for obj in queryset}
    return lambda value: names.get(int(value), str(value)) if value is not None else ""


# --- users -----------------------------------------------------------------------


@permission_required(MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(actor=request.user)
    roles = selectors.role_list(actor=request.user)
    filters = UserFilterForm(request.GET or None, teams=teams, roles=roles)
    criteria: dict[str, Any] = {}
    if filters.is_valid():
        data = filters.cleaned_data
        status = data.get("status") or ""
        criteria = {
            "query": data.get("q") or "",
            "team_id": data["team"].pk if data.get("team") else None,
            "role_id": data["role"].pk if data.get("role") else None,
            "is_active": {"": True, "inactive": False}.get(status),
            "include_inactive": status == "all",
        }
    else:
        criteria = {"is_active": True}
    users = selectors.user_list(actor=request.user, **criteria)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    locked = selectors.locked_out_usernames([user.username for user in page.object_list])
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {
            "filters": filters,
            "page": page,
            "locked_usernames": locked,
            "query_string": query_without_page.urlencode(),
        },
    )


@permission_required(MANAGE_USERS)
def user_create(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(actor=request.user)
    roles = selectors.role_list(actor=request.user)
    form = UserCreateForm(
        request.POST or None, teams=teams, roles=roles, initial={"language": "zh-hans"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                team=data["team"],
                language=data["language"],
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("User “%(name)s” was created.") % {"name": user})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "is_create": True})


@permission_required(MANAGE_USERS)
def user_update(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_or_404(selectors.user_get, actor=request.user, user_id=user_id)
    teams = selectors.team_list(actor=request.user)
    roles = selectors.role_list(actor=request.user)
    conflict = None
    if request.method == "POST":
        form = UserUpdateForm(request.POST, teams=teams, roles=roles)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_update(
                    actor=request.user,
                    user=user,
                    expected_version=data["version"],
                    **{name: data[name] for name in USER_EDIT_FIELDS},
                )
            except ConflictError as error:
                conflict = conflict_rows(
                    form,
                    error,
                    show={"team": _names_by_id(teams), "role": _names_by_id(roles)},
                )
                form = UserUpdateForm(
                    with_version(request.POST, error.current_version), teams=teams, roles=roles
                )
                form.is_valid()
            except ValidationError as error:
                apply_field_errors(form, error)
            else:
                messages.success(request, _("User “%(name)s” was saved.") % {"name": user})
                return redirect("accounts:user_update", user_id=user.pk)
    else:
        form = UserUpdateForm(
            teams=teams,
            roles=roles,
            initial={name: getattr(user, name) for name in USER_EDIT_FIELDS}
            | {"version": user.version},
        )
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "is_create": False,
            "edited_user": user,
            "conflict": conflict,
            "password_form": SetPasswordForm(),
            "is_locked_out": user.username in selectors.locked_out_usernames([user.username]),
        },
    )


@permission_required(MANAGE_USERS)
@require_POST
def user_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_or_404(selectors.user_get, actor=request.user, user_id=user_id)
    is_active = request.POST.get("is_active") == "1"
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        services.user_update(
            actor=request.user, user=user, expected_version=version, is_active=is_active
        )
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for field_messages in error.field_errors.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        if is_active:
            messages.success(request, _("“%(name)s” can sign in again.") % {"name": user})
        else:
            messages.success(request, _("“%(name)s” was deactivated.") % {"name": user})
    return redirect("accounts:user_update", user_id=user.pk)


@permission_required(MANAGE_USERS)
def user_set_password(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_or_404(selectors.user_get, actor=request.user, user_id=user_id)
    if user.pk == request.user.pk:
        return redirect("accounts:password_change")
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=user, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("A new password was set for “%(name)s”.") % {"name": user})
            return redirect("accounts:user_update", user_id=user.pk)
    return render(request, "accounts/user_set_password.html", {"form": form, "edited_user": user})


@permission_required(MANAGE_USERS)
@require_POST
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _get_or_404(selectors.user_get, actor=request.user, user_id=user_id)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("“%(name)s” was unlocked and can sign in now.") % {"name": user})
    next_url = request.POST.get("next")
    if next_url == "list":
        return redirect("accounts:user_list")
    return redirect("accounts:user_update", user_id=user.pk)


# --- teams -----------------------------------------------------------------------


def _team_choices(request: HttpRequest, team: Team | None = None) -> dict[str, Any]:
    parents = selectors.team_list(actor=request.user)
    if team is not None:
        parents = parents.exclude(path__startswith=team.path)
    return {
        "parents": parents,
        "managers": selectors.user_list(actor=request.user),
    }


@permission_required(MANAGE_TEAMS)
def team_list(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list_with_counts(actor=request.user))
    return render(request, "accounts/team_list.html", {"teams": teams})


@permission_required(MANAGE_TEAMS)
def team_create(request: HttpRequest) -> HttpResponse:
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = TeamCreateForm(request.POST or None, initial=initial, **_team_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Team “%(name)s” was created.") % {"name": team})
            return redirect("accounts:team_list")
    return render(request, "accounts/team_form.html", {"form": form, "is_create": True})


@permission_required(MANAGE_TEAMS)
def team_update(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _get_or_404(selectors.team_get, actor=request.user, team_id=team_id)
    choices = _team_choices(request, team)
    conflict = None
    if request.method == "POST":
        form = TeamForm(request.POST, **choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                team = services.team_update(
                    actor=request.user, team=team, expected_version=version, **data
                )
            except ConflictError as error:
                conflict = conflict_rows(
                    form,
                    error,
                    show={
                        "parent": _names_by_id(selectors.team_list(actor=request.user)),
                        "manager": _names_by_id(choices["managers"]),
                    },
                )
                form = TeamForm(with_version(request.POST, error.current_version), **choices)
                form.is_valid()
            except ValidationError as error:
                apply_field_errors(form, error)
            else:
                messages.success(request, _("Team “%(name)s” was saved.") % {"name": team})
                return redirect("accounts:team_list")
    else:
        form = TeamForm(
            initial={
                "name": team.name,
                "parent": team.parent_id,
                "manager": team.manager_id,
                "version": team.version,
            },
            **choices,
        )
    return render(
        request,
        "accounts/team_form.html",
        {"form": form, "is_create": False, "team": team, "conflict": conflict},
    )


@permission_required(MANAGE_TEAMS)
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _get_or_404(selectors.team_get, actor=request.user, team_id=team_id)
    try:
        services.team_delete(actor=request.user, team=team)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Team “%(name)s” was deleted.") % {"name": team.name})
    return redirect("accounts:team_list")


# --- roles -----------------------------------------------------------------------


def _permission_groups(form: RoleForm) -> list[dict[str, Any]]:
    """Registered permissions grouped as the apps registered them, for checkboxes."""
    if form.is_bound:
        checked = set(form.data.getlist("permissions"))
    else:
        checked = set(form.initial.get("permissions") or [])
    groups: dict[str, dict[str, Any]] = {}
    for info in registered_permissions():
        group = groups.setdefault(str(info.group), {"label": info.group, "permissions": []})
        group["permissions"].append(
            {"code": info.code, "label": info.label, "checked": info.code in checked}
        )
    return list(groups.values())


def _role_form_context(form: RoleForm, **extra: Any) -> dict[str, Any]:
    if form.is_bound:
        has_all = ALL_PERMISSIONS in form.data.getlist("permissions")
    else:
        has_all = ALL_PERMISSIONS in (form.initial.get("permissions") or [])
    return {
        "form": form,
        "permission_groups": _permission_groups(form),
        "has_all_permissions": has_all,
        "all_permissions_code": ALL_PERMISSIONS,
        **extra,
    }


@permission_required(MANAGE_ROLES)
def role_list(request: HttpRequest) -> HttpResponse:
    roles = selectors.role_list_with_counts(actor=request.user)
    scope_labels = dict(DATA_SCOPE_CHOICES)
    rows = [{"role": role, "scope_label": scope_labels.get(role.data_scope)} for role in roles]
    return render(request, "accounts/role_list.html", {"rows": rows})


@permission_required(MANAGE_ROLES)
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleCreateForm(request.POST or None, initial={"data_scope": "own"})
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(
                request, _("Role “%(name)s” was created.") % {"name": role.display_name}
            )
            return redirect("accounts:role_list")
    return render(request, "accounts/role_form.html", _role_form_context(form, is_create=True))


@permission_required(MANAGE_ROLES)
def role_update(request: HttpRequest, role_id: int) -> HttpResponse:
    role: Role = _get_or_404(selectors.role_get, actor=request.user, role_id=role_id)
    conflict = None
    code_editable = not role.is_builtin
    if request.method == "POST":
        form = RoleForm(request.POST, code_editable=code_editable, initial={"code": role.code})
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            if not code_editable:
                data.pop("code")
            try:
                role = services.role_update(
                    actor=request.user, role=role, expected_version=version, **data
                )
            except ConflictError as error:
                conflict = conflict_rows(form, error)
                form = RoleForm(
                    with_version(request.POST, error.current_version),
                    code_editable=code_editable,
                    initial={"code": role.code},
                )
                form.is_valid()
            except ValidationError as error:
                apply_field_errors(form, error)
            else:
                messages.success(
                    request, _("Role “%(name)s” was saved.") % {"name": role.display_name}
                )
                return redirect("accounts:role_list")
    else:
        form = RoleForm(
            code_editable=code_editable,
            initial={
                "code": role.code,
                "name": role.name,
                "description": role.description,
                "data_scope": role.data_scope,
                "permissions": role.permissions,
                "version": role.version,
            },
        )
    return render(
        request,
        "accounts/role_form.html",
        _role_form_context(form, is_create=False, role=role, conflict=conflict),
    )
