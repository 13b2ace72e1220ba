"""The app boots: health check, login page, and home after signing in."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signed_in_user_sees_home(client, org):
    client.force_login(org.east_rep)
    response = client.get("/")
    assert response.status_code == 200


def test_a_missing_page_shows_the_friendly_404(client, org):
    client.force_login(org.east_rep)
    response = client.get("/customers/999999999/")
    assert response.status_code == 404
    assert 'id="error-404"' in response.content.decode()


def test_the_500_page_renders_without_a_request_context():
    from django.template import loader

    html = loader.get_template("500.html").render({})
    assert 'id="error-500"' in html


def test_the_timeline_is_empty_for_an_actor_outside_the_customers_scope(org):
    from guanxi.customers.services import customer_create, interaction_create
    from guanxi.customers.timeline import timeline_for_customer

    customer = customer_create(actor=org.east_rep, name="张三")
    interaction_create(actor=org.east_rep, customer=customer, kind="call", content="电话")

    assert timeline_for_customer(customer=customer, actor=org.east_rep)
    assert timeline_for_customer(customer=customer, actor=org.west_rep) == []
