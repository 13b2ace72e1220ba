"""Login lockout (django-axes) and the admin's unlock."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from guanxi.conftest import PASSWORD
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def lock_out(client, username):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, username, "wrong-password")
    return response


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, org):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, org.east_rep.username, "wrong-password")
        assert response.status_code == 200
        assert b'id="locked-out"' not in response.content
    response = attempt(client, org.east_rep.username, "wrong-password")
    assert b'id="locked-out"' in response.content
    response = attempt(client, org.east_rep.username, PASSWORD)
    assert response.status_code != 302
    assert b'id="locked-out"' in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, org):
    lock_out(client, org.east_rep.username)
    assert attempt(client, org.east_rep2.username, PASSWORD).status_code == 302


def test_admin_sees_the_lock_and_unlocks_then_login_works(client, org):
    from django.test import Client

    lock_out(client, org.east_rep.username)
    admin = Client()
    assert attempt(admin, org.admin.username, PASSWORD).status_code == 302
    listing = admin.get(reverse("accounts:user_list")).content.decode()
    assert reverse("accounts:user_unlock", kwargs={"user_id": org.east_rep.pk}) in listing
    edit = admin.get(reverse("accounts:user_update", kwargs={"user_id": org.east_rep.pk}))
    assert b'id="user-locked-out"' in edit.content

    response = admin.post(reverse("accounts:user_unlock", kwargs={"user_id": org.east_rep.pk}))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        action="accounts.user.unlocked", actor=org.admin, object_id=str(org.east_rep.pk)
    ).exists()

    assert attempt(client, org.east_rep.username, PASSWORD).status_code == 302


def test_a_sales_rep_cannot_unlock(client, org):
    from django.test import Client

    lock_out(client, org.east_rep.username)
    colleague = Client()
    assert attempt(colleague, org.east_rep2.username, PASSWORD).status_code == 302
    response = colleague.post(reverse("accounts:user_unlock", kwargs={"user_id": org.east_rep.pk}))
    assert response.status_code == 403
    assert b'id="locked-out"' in attempt(client, org.east_rep.username, PASSWORD).content
