"""Forms for sign-in, the user's own settings and the user/team/role admin screens.

Forms check shape only; the services in accounts/services.py validate for real
and their field errors are put back on these forms with `apply_field_errors`.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import DATA_SCOPE_CHOICES, Role, Team, User
from guanxi.platform.permissions import ALL_PERMISSIONS, registered_permissions

PASSWORDS_DIFFER = _("The two passwords do not match.")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and "Etc" not in z)
    return [(zone, zone) for zone in zones]


class StyledBoundField(BoundField):
    """Marks a field with errors `is-invalid` so Tabler outlines it in red."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.form.is_bound and self.errors:
            base = attrs.get("class", widget.attrs.get("class", ""))
            attrs["class"] = f"{base} is-invalid".strip()
        return attrs


class StyledFormMixin:
    """Give every widget Tabler's classes so templates can render fields generically."""

    bound_field_class = StyledBoundField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )


class VersionedForm(StyledFormMixin, forms.Form):
    """An edit form: carries the version of the record the user read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- the user's own settings ----------------------------------------------------


class ProfileForm(VersionedForm):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=forms.Select(attrs={"data-tom-select": ""}),
    )


class SetPasswordForm(StyledFormMixin, forms.Form):
    """An admin sets a new password for someone else (no old password)."""

    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", PASSWORDS_DIFFER)
        return cleaned


class PasswordChangeForm(SetPasswordForm):
    """Changing one's own password: the current one first, then the new one twice."""

    field_order = ["old_password", "new_password", "new_password2"]

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ApiTokenCreateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “ERP sync”."),
    )


# --- admin: users ---------------------------------------------------------------


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Role) -> str:
        return obj.display_name


class TeamChoiceField(forms.ModelChoiceField):
    """Teams indented by their depth in the tree."""

    def label_from_instance(self, obj: Team) -> str:
        return "\u3000" * obj.depth + obj.name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.username})" if obj.display_name else obj.username


class UserFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = TeamChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("All teams")
    )
    role = RoleChoiceField(
        label=_("Role"), queryset=Role.objects.none(), required=False, empty_label=_("All roles")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def __init__(self, *args: Any, teams: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["role"].queryset = roles


class UserFieldsForm(StyledFormMixin, forms.Form):
    """What an admin edits on a user; shared by the create and update forms."""

    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    role = RoleChoiceField(
        label=_("Role"), queryset=Role.objects.none(), required=False, empty_label=_("No role")
    )
    team = TeamChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, teams: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["role"].queryset = roles


class UserCreateForm(UserFieldsForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = [
        "username",
        "display_name",
        "password",
        "email",
        "phone",
        "role",
        "team",
        "language",
    ]


class UserUpdateForm(UserFieldsForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        widget=forms.Select(attrs={"data-tom-select": ""}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- admin: teams and roles -------------------------------------------------------


class TeamForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = TeamChoiceField(
        label=_("Parent team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("None (top level)"),
    )
    manager = UserChoiceField(
        label=_("Manager"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No manager"),
    )
    field_order = ["name", "parent", "manager", "version"]

    def __init__(self, *args: Any, parents: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["manager"].queryset = managers


class TeamCreateForm(TeamForm):
    version = None  # type: ignore[assignment]


def permission_choices() -> list[tuple[str, str]]:
    return [(ALL_PERMISSIONS, str(_("All permissions")))] + [
        (info.code, str(info.label)) for info in registered_permissions()
    ]


class RoleForm(VersionedForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=50,
        help_text=_("A short identifier in Latin letters, e.g. “key_account”."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    data_scope = forms.ChoiceField(label=_("Data scope"), choices=DATA_SCOPE_CHOICES)
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["code", "name", "description", "data_scope", "permissions", "version"]

    def __init__(self, *args: Any, code_editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = permission_choices()
        if not code_editable:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code of a built-in role cannot change.")


class RoleCreateForm(RoleForm):
    version = None  # type: ignore[assignment]
