"""The accounts screens through Django's test client: guards, forms, errors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts import services
from guanxi.accounts.models import ApiToken, Role, Team, User
from guanxi.accounts.selectors import role_by_code
from guanxi.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client


ADMIN_PAGES = [
    ("accounts:user_list", {}),
    ("accounts:user_create", {}),
    ("accounts:user_update", {"user_id": "east_rep2"}),
    ("accounts:user_set_password", {"user_id": "east_rep2"}),
    ("accounts:team_list", {}),
    ("accounts:team_create", {}),
    ("accounts:team_update", {"team_id": "east"}),
    ("accounts:role_list", {}),
    ("accounts:role_create", {}),
    ("accounts:role_update", {"role_id": "sales"}),
]


def _url(org, name, kwargs):
    resolved = {}
    for key, value in kwargs.items():
        if key == "role_id":
            resolved[key] = role_by_code(value).pk
        else:
            resolved[key] = getattr(org, value).pk
    return reverse(name, kwargs=resolved)


@pytest.mark.parametrize(("name", "kwargs"), ADMIN_PAGES, ids=[p[0] for p in ADMIN_PAGES])
def test_admin_pages_are_forbidden_to_a_sales_rep_and_open_to_an_admin(client, org, name, kwargs):
    url = _url(org, name, kwargs)
    login(client, org.east_rep)
    response = client.get(url)
    assert response.status_code == 403
    assert b'id="permission-denied"' in response.content
    client.logout()
    login(client, org.admin)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "accounts:user_set_active",
        "accounts:user_unlock",
    ],
)
def test_admin_actions_are_forbidden_to_a_sales_rep(client, org, name):
    login(client, org.east_rep)
    response = client.post(reverse(name, kwargs={"user_id": org.east_rep2.pk}), {"is_active": "0"})
    assert response.status_code == 403
    org.east_rep2.refresh_from_db()
    assert org.east_rep2.is_active


def test_admin_pages_send_signed_out_visitors_to_login(client, org):
    response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_own_pages_open_for_everyone_signed_in(client, org):
    login(client, org.east_rep)
    for name in ["settings_home", "profile", "password_change", "api_token_list"]:
        assert client.get(reverse(f"accounts:{name}")).status_code == 200


def test_settings_home_shows_admin_cards_only_with_permission(client, org):
    login(client, org.east_rep)
    html = client.get(reverse("accounts:settings_home")).content.decode()
    assert reverse("accounts:profile") in html
    assert reverse("accounts:user_list") not in html
    assert reverse("customers:tag_list") not in html
    client.logout()
    login(client, org.admin)
    html = client.get(reverse("accounts:settings_home")).content.decode()
    for name in [
        "accounts:user_list",
        "accounts:team_list",
        "accounts:role_list",
        "customers:tag_list",
        "customers:custom_field_list",
        "platform:recycle_bin",
        "accounts:api_token_list",
    ]:
        assert reverse(name) in html


def test_manager_sees_tags_but_not_user_admin(client, org):
    login(client, org.manager)
    html = client.get(reverse("accounts:settings_home")).content.decode()
    assert reverse("customers:tag_list") in html
    assert reverse("accounts:role_list") not in html


def test_create_user_with_garbage_shows_field_errors_and_creates_nothing(client, org):
    login(client, org.admin)
    count = User.objects.count()
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "",
            "display_name": "名" * 10_000,
            "password": "123",
            "email": "not-an-email",
            "language": "klingon",
            "role": "999999",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"username", "display_name", "email", "language", "role"} <= set(errors)
    assert User.objects.count() == count


def test_create_user_with_a_weak_password_shows_the_validator_message(client, org):
    login(client, org.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "newbie", "password": "123", "language": "zh-hans"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert b'data-field="password"' in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_create_user_with_a_taken_username_shows_the_error_beside_the_field(client, org):
    login(client, org.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "east1", "password": "Good-pass-2026!", "language": "zh-hans"},
    )
    assert str(services.USERNAME_TAKEN) in response.context["form"].errors["username"]


def test_admin_creates_a_user_who_can_then_sign_in(client, org):
    login(client, org.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "east3",
            "display_name": "王五",
            "password": "Good-pass-2026!",
            "email": "wangwu@example.com",
            "phone": "13800138000",
            "role": role_by_code("sales").pk,
            "team": org.east.pk,
            "language": "en",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="east3")
    assert (user.role.code, user.team, user.language) == ("sales", org.east, "en")
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"username": "east3", "password": "Good-pass-2026!"}
    )
    assert response.status_code == 302


def test_user_list_filters(client, org):
    login(client, org.admin)
    url = reverse("accounts:user_list")

    def usernames(**params):
        response = client.get(url, params)
        return {user.username for user in response.context["page"].object_list}

    assert usernames(q="张") == {"east1"}
    assert usernames(q="zhang") == {"east1"}
    assert usernames(q="WEST") == {"west1"}
    assert usernames(team=org.east.pk) == {"east1", "east2"}
    assert usernames(role=role_by_code("manager").pk) == {"manager"}
    services.user_update(actor=org.admin, user=org.west_rep, is_active=False)
    assert "west1" not in usernames()
    assert usernames(status="inactive") == {"west1"}
    assert "west1" in usernames(status="all")


def test_admin_edits_a_user_and_a_stale_version_shows_the_conflict(client, org):
    login(client, org.admin)
    url = reverse("accounts:user_update", kwargs={"user_id": org.east_rep.pk})
    form = {
        "username": "east1",
        "display_name": "张三",
        "email": "",
        "phone": "",
        "role": role_by_code("sales").pk,
        "team": org.west.pk,
        "language": "zh-hans",
        "time_zone": "Asia/Shanghai",
        "version": org.east_rep.version,
    }
    assert client.post(url, form).status_code == 302
    org.east_rep.refresh_from_db()
    assert org.east_rep.team == org.west
    stale = {**form, "display_name": "张三三", "team": org.east.pk}
    response = client.post(url, stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="conflict-message"' in html
    assert "华西组" in html  # their saved value is shown
    org.east_rep.refresh_from_db()
    assert org.east_rep.display_name == "张三"
    # the form now carries the current version: saving again applies the user's values
    assert response.context["form"]["version"].value() == str(org.east_rep.version)


def test_admin_deactivates_and_activates_a_user(client, org):
    login(client, org.admin)
    url = reverse("accounts:user_set_active", kwargs={"user_id": org.east_rep2.pk})
    client.post(url, {"is_active": "0", "version": org.east_rep2.version})
    org.east_rep2.refresh_from_db()
    assert not org.east_rep2.is_active
    client.post(url, {"is_active": "1", "version": org.east_rep2.version})
    org.east_rep2.refresh_from_db()
    assert org.east_rep2.is_active


def test_admin_sets_a_new_password_for_someone(client, org):
    login(client, org.admin)
    url = reverse("accounts:user_set_password", kwargs={"user_id": org.east_rep2.pk})
    response = client.post(url, {"new_password": "abc", "new_password2": "abc"})
    assert response.context["form"].errors["new_password"]
    response = client.post(
        url, {"new_password": "Fresh-pass-2026!", "new_password2": "Fresh-pass-2026?"}
    )
    assert response.context["form"].errors["new_password2"]
    response = client.post(
        url, {"new_password": "Fresh-pass-2026!", "new_password2": "Fresh-pass-2026!"}
    )
    assert response.status_code == 302
    org.east_rep2.refresh_from_db()
    assert org.east_rep2.check_password("Fresh-pass-2026!")


def test_profile_edit_saves_own_fields(client, org):
    login(client, org.east_rep)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "张三丰",
            "email": "zs@example.com",
            "phone": "13900000000",
            "language": "zh-hans",
            "time_zone": "Europe/Berlin",
            "version": org.east_rep.version,
        },
    )
    assert response.status_code == 302
    org.east_rep.refresh_from_db()
    assert (org.east_rep.display_name, org.east_rep.time_zone) == ("张三丰", "Europe/Berlin")


def test_profile_rejects_garbage_per_field(client, org):
    login(client, org.east_rep)
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "x" * 10_000,
            "email": "nope",
            "language": "xx",
            "time_zone": "Mars/Olympus",
            "version": org.east_rep.version,
        },
    )
    assert {"display_name", "email", "language", "time_zone"} <= set(
        response.context["form"].errors
    )


def test_profile_stale_version_shows_conflict(client, org):
    login(client, org.east_rep)
    version = org.east_rep.version
    services.user_update(actor=org.admin, user=org.east_rep, display_name="管理员改的")
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "我改的",
            "language": "zh-hans",
            "time_zone": "Asia/Shanghai",
            "version": version,
        },
    )
    assert b'id="conflict-message"' in response.content
    org.east_rep.refresh_from_db()
    assert org.east_rep.display_name == "管理员改的"


def test_password_change_errors_per_field_and_stays_signed_in(client, org):
    login(client, org.east_rep)
    url = reverse("accounts:password_change")
    response = client.post(
        url,
        {
            "old_password": "wrong",
            "new_password": "New-pass-2026!",
            "new_password2": "New-pass-2026!",
        },
    )
    assert response.context["form"].errors["old_password"]
    response = client.post(
        url, {"old_password": PASSWORD, "new_password": "123", "new_password2": "123"}
    )
    assert response.context["form"].errors["new_password"]
    response = client.post(
        url, {"old_password": PASSWORD, "new_password": "New-pass-2026!", "new_password2": "Other"}
    )
    assert response.context["form"].errors["new_password2"]
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password": "New-pass-2026!",
            "new_password2": "New-pass-2026!",
        },
    )
    assert response.status_code == 302
    # still signed in after the password changed
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_api_token_key_is_shown_once(client, org):
    login(client, org.east_rep)
    url = reverse("accounts:api_token_list")
    response = client.post(url, {"name": "ERP sync"})
    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    listing = client.get(url).content.decode()
    assert "ERP sync" in listing
    assert key not in listing
    assert services.api_token_authenticate(key) == org.east_rep


def test_api_token_needs_a_name(client, org):
    login(client, org.east_rep)
    response = client.post(reverse("accounts:api_token_list"), {"name": "  "})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_api_token_revoke_and_others_tokens_are_404(client, org):
    token, key = services.api_token_create(actor=org.east_rep, user=org.east_rep, name="ERP")
    login(client, org.east_rep2)
    url = reverse("accounts:api_token_revoke", kwargs={"token_id": token.pk})
    assert client.post(url).status_code == 404
    client.logout()
    login(client, org.east_rep)
    assert client.post(url).status_code == 302
    assert services.api_token_authenticate(key) is None


def test_team_create_update_and_delete(client, org):
    login(client, org.admin)
    response = client.post(
        reverse("accounts:team_create"),
        {"name": "华南组", "parent": org.sales_dept.pk, "manager": org.manager.pk},
    )
    assert response.status_code == 302
    south = Team.objects.get(name="华南组")
    assert south.depth == 2
    html = client.get(reverse("accounts:team_list")).content.decode()
    assert f'data-team-id="{south.pk}" data-depth="2"' in html
    # moving a team under its own sub-team is refused beside the field
    response = client.post(
        reverse("accounts:team_update", kwargs={"team_id": org.sales_dept.pk}),
        {"name": "销售部", "parent": org.east.pk, "version": org.sales_dept.version},
    )
    assert "parent" in response.context["form"].errors
    response = client.post(reverse("accounts:team_delete", kwargs={"team_id": south.pk}))
    assert response.status_code == 302
    assert not Team.objects.filter(pk=south.pk).exists()
    client.post(reverse("accounts:team_delete", kwargs={"team_id": org.east.pk}))
    assert Team.objects.filter(pk=org.east.pk).exists()


def test_team_update_with_stale_version_shows_conflict(client, org):
    login(client, org.admin)
    version = org.east.version
    services.team_update(actor=org.admin, team=org.east, name="华东大组")
    response = client.post(
        reverse("accounts:team_update", kwargs={"team_id": org.east.pk}),
        {"name": "华东小组", "parent": org.sales_dept.pk, "version": version},
    )
    assert b'id="conflict-message"' in response.content
    assert "华东大组" in response.content.decode()


def test_role_create_and_update_with_grouped_permissions(client, org):
    login(client, org.admin)
    html = client.get(reverse("accounts:role_create")).content.decode()
    assert "customers.view_customer" in html
    assert "accounts.manage_user" in html
    response = client.post(
        reverse("accounts:role_create"),
        {
            "code": "key_account",
            "name": "大客户经理",
            "description": "",
            "data_scope": "team",
            "permissions": ["customers.view_customer", "customers.change_customer"],
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(code="key_account")
    assert role.permissions == ["customers.change_customer", "customers.view_customer"]
    response = client.post(
        reverse("accounts:role_update", kwargs={"role_id": role.pk}),
        {
            "code": "key_account",
            "name": "大客户经理",
            "data_scope": "subtree",
            "permissions": ["customers.nonsense"],
            "version": role.version,
        },
    )
    assert "permissions" in response.context["form"].errors
    role.refresh_from_db()
    assert role.data_scope == "team"


def test_builtin_role_code_cannot_change_through_the_form(client, org):
    login(client, org.admin)
    sales = role_by_code("sales")
    response = client.post(
        reverse("accounts:role_update", kwargs={"role_id": sales.pk}),
        {
            "code": "hacked",
            "name": sales.name,
            "data_scope": "own",
            "permissions": sales.permissions,
            "version": sales.version,
        },
    )
    assert response.status_code == 302
    sales.refresh_from_db()
    assert sales.code == "sales"


def test_role_stale_version_shows_conflict(client, org):
    login(client, org.admin)
    sales = role_by_code("sales")
    version = sales.version
    services.role_update(actor=org.admin, role=sales, description="改过")
    response = client.post(
        reverse("accounts:role_update", kwargs={"role_id": sales.pk}),
        {
            "name": sales.name,
            "data_scope": "own",
            "permissions": sales.permissions,
            "version": version,
        },
    )
    assert b'id="conflict-message"' in response.content


def test_language_switch_saves_the_choice_and_the_next_page_is_english(client, org):
    login(client, org.east_rep)
    html = client.get(reverse("accounts:settings_home")).content.decode()
    assert '<html lang="zh-hans">' in html
    response = client.post(
        reverse("accounts:language_set"),
        {"language": "en", "next": reverse("accounts:settings_home")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:settings_home")
    org.east_rep.refresh_from_db()
    assert org.east_rep.language == "en"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    assert "Sales rep" in html  # built-in role name in the user's language


def test_language_switch_on_the_login_page_uses_a_cookie(client, org):
    response = client.post(
        reverse("accounts:language_set"), {"language": "en"}, HTTP_REFERER="/accounts/login/"
    )
    assert response["Location"] == "/accounts/login/"
    html = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Log in to your account" in html


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client, org):
    login(client, org.east_rep)
    response = client.post(
        reverse("accounts:language_set"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    org.east_rep.refresh_from_db()
    assert org.east_rep.language == "zh-hans"


def _query_count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["accounts:user_list", "accounts:team_list", "accounts:role_list"])
def test_admin_lists_do_not_grow_queries_with_rows(client, org, name):
    login(client, org.admin)
    url = reverse(name)
    before = _query_count(client, url)
    sales = role_by_code("sales")
    for number in range(15):
        team = services.team_create(actor=org.admin, name=f"组{number}", parent=org.east)
        services.user_create(
            actor=org.admin,
            username=f"extra{number}",
            password=PASSWORD,
            display_name=f"员工{number}",
            role=sales,
            team=team,
        )
        services.api_token_create(actor=org.admin, user=org.admin, name=f"t{number}")
    assert _query_count(client, url) == before


def test_api_token_list_query_count_is_flat(client, org):
    login(client, org.east_rep)
    url = reverse("accounts:api_token_list")
    services.api_token_create(actor=org.east_rep, user=org.east_rep, name="first")
    before = _query_count(client, url)
    for number in range(10):
        services.api_token_create(actor=org.east_rep, user=org.east_rep, name=f"t{number}")
    assert _query_count(client, url) == before


def test_language_switch_on_the_login_page_keeps_the_next_parameter(client, org):
    login_url = reverse("accounts:login") + "?next=/customers/"
    html = client.get(login_url).content.decode()
    assert 'value="/accounts/login/?next=/customers/"' in html
    response = client.post(
        reverse("accounts:language_set"),
        {"language": "en", "next": "/accounts/login/?next=/customers/"},
    )
    assert response["Location"] == "/accounts/login/?next=/customers/"


def test_a_missing_or_garbage_version_is_reported_not_ignored(client, org):
    login(client, org.east_rep)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "x", "language": "zh-hans", "time_zone": "Asia/Shanghai", "version": "zz"},
    )
    assert b'id="hidden-field-errors"' in response.content
    org.east_rep.refresh_from_db()
    assert org.east_rep.display_name == "张三"
