"""The signed-in user's own pages: settings home, profile, password, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.accounts import selectors, services
from guanxi.accounts.forms import ApiTokenCreateForm, PasswordChangeForm, ProfileForm
from guanxi.accounts.permissions import MANAGE_ROLES, MANAGE_TEAMS, MANAGE_USERS
from guanxi.accounts.views.common import conflict_rows, with_version
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import has_permission

# (title, description, url name, permission or None)
SETTINGS_CARDS: list[tuple[Any, Any, str, str | None]] = [
    (
        gettext_lazy("Users"),
        gettext_lazy("Create accounts, assign roles and teams, unlock sign-ins."),
        "accounts:user_list",
        MANAGE_USERS,
    ),
    (
        gettext_lazy("Teams"),
        gettext_lazy("The company tree: departments, groups and their managers."),
        "accounts:team_list",
        MANAGE_TEAMS,
    ),
    (
        gettext_lazy("Roles"),
        gettext_lazy("What each role may do and which records it sees."),
        "accounts:role_list",
        MANAGE_ROLES,
    ),
    (
        gettext_lazy("Tags"),
        gettext_lazy("Tag groups and coloured tags for customers."),
        "customers:tag_list",
        "customers.manage_tag",
    ),
    (
        gettext_lazy("Custom fields"),
        gettext_lazy("Extra fields on customers and contacts."),
        "customers:custom_field_list",
        "customers.manage_customfield",
    ),
    (
        gettext_lazy("Recycle bin"),
        gettext_lazy("Restore deleted records."),
        "platform:recycle_bin",
        None,
    ),
    (
        gettext_lazy("My profile"),
        gettext_lazy("Your name, contact details, language and time zone."),
        "accounts:profile",
        None,
    ),
    (
        gettext_lazy("Change password"),
        gettext_lazy("Choose a new password for signing in."),
        "accounts:password_change",
        None,
    ),
    (
        gettext_lazy("API tokens"),
        gettext_lazy("Personal keys for connecting other systems to the API."),
        "accounts:api_token_list",
        None,
    ),
]

PROFILE_FIELDS = ["display_name", "email", "phone", "language", "time_zone"]


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    cards = [
        {
            "title": title,
            "description": description,
            "url": reverse(url_name),
            "key": url_name.replace(":", "-").replace("_", "-"),
        }
        for title, description, url_name, permission in SETTINGS_CARDS
        if permission is None or has_permission(request.user, permission)
    ]
    return render(request, "accounts/settings_home.html", {"cards": cards})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    conflict: list[tuple[str, str, str]] | None = None
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update(
                    actor=user,
                    user=user,
                    expected_version=data["version"],
                    **{name: data[name] for name in PROFILE_FIELDS},
                )
            except ConflictError as error:
                conflict = conflict_rows(form, error)
                form = ProfileForm(with_version(request.POST, error.current_version))
                form.is_valid()
            except ValidationError as error:
                apply_field_errors(form, error)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={name: getattr(user, name) for name in PROFILE_FIELDS}
            | {"version": user.version}
        )
    return render(request, "accounts/profile.html", {"form": form, "conflict": conflict})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user,
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:settings_home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
def api_token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; POST creates one and shows its key on this response
    only: the key is never stored, so it cannot be shown again."""
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            apply_field_errors(form, error)
        else:
            response = render(
                request, "accounts/api_token_created.html", {"token": token, "key": key}
            )
            response["Cache-Control"] = "no-store"
            return response
    tokens = selectors.api_token_list(actor=request.user, user=request.user)
    return render(request, "accounts/api_token_list.html", {"form": form, "tokens": tokens})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = selectors.api_token_get(actor=request.user, user=request.user, token_id=token_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:api_token_list")
