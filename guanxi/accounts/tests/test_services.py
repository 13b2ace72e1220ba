"""Services for users, teams, roles and API tokens: invariants and refusals."""

from __future__ import annotations

import hashlib

import pytest

from guanxi.accounts import services
from guanxi.accounts.models import ApiToken, Role, Team, User
from guanxi.accounts.selectors import role_by_code
from guanxi.conftest import PASSWORD
from guanxi.platform.exceptions import ConflictError, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_moving_a_team_re_paths_its_whole_subtree(org):
    east_group = services.team_create(actor=org.admin, name="华东一组", parent=org.east)
    services.team_update(actor=org.admin, team=org.east, parent=org.service_team)

    org.east.refresh_from_db()
    east_group.refresh_from_db()
    assert org.east.path == f"{org.service_team.path}{org.east.pk}/"
    assert org.east.depth == 2
    assert east_group.path == f"{org.east.path}{east_group.pk}/"
    assert east_group.depth == 3
    assert not Team.objects.filter(path__startswith=org.sales_dept.path, pk=org.east.pk).exists()


@pytest.mark.parametrize("new_parent", ["self", "child", "grandchild"])
def test_a_team_cannot_move_under_itself_or_its_sub_teams(org, new_parent):
    target = {"self": org.sales_dept, "child": org.east, "grandchild": None}[new_parent]
    if target is None:
        target = services.team_create(actor=org.admin, name="深层", parent=org.east)
    with pytest.raises(ValidationError) as caught:
        services.team_update(actor=org.admin, team=org.sales_dept, parent=target)
    assert str(services.TEAM_CYCLE) in caught.value.field_errors["parent"]
    org.sales_dept.refresh_from_db()
    assert org.sales_dept.parent_id == org.hq.pk


def test_team_update_with_a_stale_version_is_refused(org):
    services.team_update(actor=org.admin, team=org.east, name="华东")
    with pytest.raises(ConflictError):
        services.team_update(actor=org.admin, team=org.east, expected_version=1, name="旧名")


def test_only_empty_teams_can_be_deleted(org):
    with pytest.raises(ValidationError):
        services.team_delete(actor=org.admin, team=org.east)  # has members
    with pytest.raises(ValidationError):
        services.team_delete(actor=org.admin, team=org.sales_dept)  # has sub-teams
    empty = services.team_create(actor=org.admin, name="空组", parent=org.hq)
    services.team_delete(actor=org.admin, team=empty)
    assert not Team.objects.filter(pk=empty.pk).exists()


def test_a_role_with_an_unknown_permission_is_refused(org):
    with pytest.raises(ValidationError) as caught:
        services.role_create(
            actor=org.admin,
            code="key_account",
            name="大客户",
            data_scope="team",
            permissions=["customers.view_customer", "customers.fly_to_moon"],
        )
    assert "permissions" in caught.value.field_errors
    assert not Role.objects.filter(code="key_account").exists()


def test_the_code_of_a_builtin_role_cannot_change(org):
    sales = role_by_code("sales")
    with pytest.raises(ValidationError):
        services.role_update(actor=org.admin, role=sales, code="seller")
    services.role_update(actor=org.admin, role=sales, name="销售代表")
    sales.refresh_from_db()
    assert (sales.code, sales.name) == ("sales", "销售代表")


def test_role_display_name_is_translated_until_renamed(org):
    from django.utils import translation

    sales = role_by_code("sales")
    sales.name = "销售"  # what migration accounts/0002 stores
    with translation.override("en"):
        assert sales.display_name == "Sales rep"
    sales.name = "金牌销售"
    with translation.override("en"):
        assert sales.display_name == "金牌销售"
    sales.name = "销售"
    with translation.override("zh-hans"):
        assert sales.display_name == "销售"
    sales.name = "Sales rep"  # stored in English by an older set-up: still built-in
    with translation.override("zh-hans"):
        assert sales.display_name == "销售"
    custom = Role(code="x", name="渠道", is_builtin=False)
    assert custom.display_name == "渠道"


def test_creating_a_user_with_a_taken_username_is_refused(org):
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=org.admin, username="EAST1", password=PASSWORD)
    assert caught.value.field_errors["username"] == [str(services.USERNAME_TAKEN)]


@pytest.mark.parametrize("weak", ["123", "password", "12345678901", "east9pw"])
def test_password_validators_refuse_weak_passwords(org, weak):
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=org.admin, username="east9", password=weak)
    assert caught.value.field_errors["password"]
    assert not User.objects.filter(username="east9").exists()


def test_a_user_may_not_edit_someone_else_without_manage_user(org):
    with pytest.raises(PermissionDenied):
        services.user_update(actor=org.east_rep, user=org.east_rep2, display_name="黑客")
    org.east_rep2.refresh_from_db()
    assert org.east_rep2.display_name == "李四"


def test_a_user_may_edit_only_personal_fields_of_their_own_account(org):
    services.user_update(actor=org.east_rep, user=org.east_rep, display_name="张三丰")
    with pytest.raises(PermissionDenied):
        services.user_update(actor=org.east_rep, user=org.east_rep, role=role_by_code("admin"))


def test_an_admin_cannot_deactivate_themselves(org):
    with pytest.raises(ValidationError):
        services.user_update(actor=org.admin, user=org.admin, is_active=False)


def test_changing_ones_own_password_needs_the_old_one(org):
    with pytest.raises(ValidationError) as caught:
        services.user_set_password(
            actor=org.east_rep, user=org.east_rep, old_password="wrong", new_password="Neu-pw-2026!"
        )
    assert "old_password" in caught.value.field_errors
    services.user_set_password(
        actor=org.east_rep, user=org.east_rep, old_password=PASSWORD, new_password="Neu-pw-2026!"
    )
    org.east_rep.refresh_from_db()
    assert org.east_rep.check_password("Neu-pw-2026!")


def test_api_token_key_is_returned_once_and_only_its_sha256_is_stored(org):
    token, key = services.api_token_create(actor=org.east_rep, user=org.east_rep, name="ERP")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.name, stored.prefix, stored.key_hash}
    assert key.startswith(stored.prefix)
    assert services.api_token_authenticate(key) == org.east_rep
    assert services.api_token_authenticate(key + "x") is None


def test_a_revoked_token_no_longer_authenticates(org):
    token, key = services.api_token_create(actor=org.east_rep, user=org.east_rep, name="ERP")
    services.api_token_revoke(actor=org.east_rep, token=token)
    assert services.api_token_authenticate(key) is None


def test_nobody_else_can_revoke_or_create_my_tokens(org):
    token, _key = services.api_token_create(actor=org.east_rep, user=org.east_rep, name="ERP")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=org.east_rep2, token=token)
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=org.east_rep2, user=org.east_rep, name="steal")


def test_user_unlock_needs_manage_user_and_is_audited(org):
    with pytest.raises(PermissionDenied):
        services.user_unlock(actor=org.east_rep, user=org.east_rep2)
    services.user_unlock(actor=org.admin, user=org.east_rep2)
    assert AuditEntry.objects.filter(
        action="accounts.user.unlocked", object_id=str(org.east_rep2.pk)
    ).exists()


def test_selectors_show_nothing_to_signed_out_or_inactive_actors(org):
    from django.contrib.auth.models import AnonymousUser

    from guanxi.accounts import selectors

    services.user_update(actor=org.admin, user=org.east_rep2, is_active=False)
    org.east_rep2.refresh_from_db()
    for actor in [None, AnonymousUser(), org.east_rep2]:
        assert not selectors.user_list(actor=actor).exists()
        assert not selectors.team_list(actor=actor).exists()
        assert not selectors.role_list(actor=actor).exists()


def test_api_tokens_are_listed_only_to_their_owner(org):
    from guanxi.accounts import selectors
    from guanxi.platform.exceptions import NotFound

    token, _key = services.api_token_create(actor=org.east_rep, user=org.east_rep, name="ERP")
    assert list(selectors.api_token_list(actor=org.east_rep, user=org.east_rep)) == [token]
    assert not selectors.api_token_list(actor=org.admin, user=org.east_rep).exists()
    with pytest.raises(NotFound):
        selectors.api_token_get(actor=org.east_rep2, user=org.east_rep2, token_id=token.pk)


def test_locked_out_usernames_follows_the_failure_limit(org, settings):
    from axes.models import AccessAttempt

    from guanxi.accounts import selectors

    AccessAttempt.objects.create(
        username="east1",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    AccessAttempt.objects.create(
        username="east2",
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=settings.AXES_FAILURE_LIMIT - 1,
    )
    assert selectors.locked_out_usernames(["east1", "east2", "west1"]) == {"east1"}
    services.user_unlock(actor=org.admin, user=org.east_rep)
    assert selectors.locked_out_usernames(["east1"]) == set()
