"""Contacts and follow-ups from the customer page: add/edit/delete, htmx answers,
conflicts, and the home page's "follow-ups due" list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.models import Contact, Interaction
from guanxi.customers.services import (
    contact_create,
    contact_update,
    customer_create,
    interaction_create,
    interaction_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return customer_create(actor=org.east_rep, name="成都火锅连锁")


def _follow_up(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "call",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contact": "",
        "content": "电话沟通报价",
        "next_follow_up_on": "",
    }
    data.update(overrides)
    return data


# --- contacts -----------------------------------------------------------------


def test_add_contact_from_the_customer_page_form(client, org, customer):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {
            "new_contact-name": "刘总",
            "new_contact-title": "总经理",
            "new_contact-phones": "139 0000 1111",
            "new_contact-emails": "liu@example.com",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.name, contact.phones, contact.is_primary) == ("刘总", ["+8613900001111"], True)
    html = client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    assert 'data-testid="contact-name">刘总<' in html


def test_add_contact_with_bad_phone_shows_error_and_writes_nothing(client, org, customer):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:contact_create", args=[customer.pk]),
        {"name": "刘总", "phones": "0000", "birthday_calendar": "solar"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-phones"' in response.content.decode()
    assert Contact.objects.count() == 0


def test_edit_contact_and_primary_moves(client, org, customer):
    first = contact_create(actor=org.east_rep, customer=customer, name="甲")
    second = contact_create(actor=org.east_rep, customer=customer, name="乙")
    client.force_login(org.east_rep)
    url = reverse("customers:contact_update", args=[second.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"name": "乙（改）", "is_primary": "on", "birthday_calendar": "solar", "version": 1}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.name, second.is_primary, first.is_primary) == ("乙（改）", True, False)


def test_contact_stale_version_shows_conflict(client, org, customer):
    contact = contact_create(actor=org.east_rep, customer=customer, name="甲", title="经理")
    contact_update(actor=org.east_rep, contact=contact, expected_version=1, title="总监")
    client.force_login(org.east_rep)
    url = reverse("customers:contact_update", args=[contact.pk])
    response = client.post(
        url, {"name": "甲", "title": "主管", "birthday_calendar": "solar", "version": 1}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="conflict-message"' in html
    assert "总监" in html and "主管" in html
    contact.refresh_from_db()
    assert contact.title == "总监"
    response = client.post(
        url, {"name": "甲", "title": "主管", "birthday_calendar": "solar", "version": 2}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "主管"


def test_delete_contact_goes_to_recycle_bin(client, org, customer):
    contact = contact_create(actor=org.east_rep, customer=customer, name="甲")
    client.force_login(org.east_rep)
    response = client.post(reverse("customers:contact_delete", args=[contact.pk]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.deleted_at is not None


def test_contacts_of_another_reps_customer_are_404(client, org, customer):
    contact = contact_create(actor=org.east_rep, customer=customer, name="甲")
    client.force_login(org.west_rep)
    assert client.get(reverse("customers:contact_update", args=[contact.pk])).status_code == 404
    assert client.post(reverse("customers:contact_delete", args=[contact.pk])).status_code == 404
    contact.refresh_from_db()
    assert contact.deleted_at is None


# --- follow-ups -------------------------------------------------------------------


def test_record_follow_up_with_htmx_returns_the_new_timeline_event(client, org, customer):
    contact = contact_create(actor=org.east_rep, customer=customer, name="甲")
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        _follow_up(contact=contact.pk, content="<script>x()</script>上门拜访"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="timeline-event"' in html and "上门拜访" in html and "甲" in html
    assert "<script>x()" not in html
    assert "followUpRecorded" in response.headers["HX-Trigger"]
    interaction = Interaction.objects.get()
    assert interaction.contact == contact and interaction.author == org.east_rep


def test_record_follow_up_with_errors_retargets_the_form(client, org, customer):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        _follow_up(content="", kind="telepathy"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#interaction-form"
    html = response.content.decode()
    assert 'id="interaction-form"' in html
    assert 'data-testid="error-content"' in html and 'data-testid="error-kind"' in html
    assert Interaction.objects.count() == 0


def test_follow_up_with_a_contact_of_another_customer_is_refused(client, org, customer):
    other = customer_create(actor=org.east_rep, name="另一家")
    stranger = contact_create(actor=org.east_rep, customer=other, name="外人")
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        _follow_up(contact=stranger.pk),
    )
    assert response.status_code == 200
    assert 'data-testid="error-contact"' in response.content.decode()
    assert Interaction.objects.count() == 0


def test_follow_up_due_today_shows_on_home_and_ticking_done_removes_it(client, org, customer):
    client.force_login(org.east_rep)
    today = timezone.localdate()
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        _follow_up(content="约下次见面", next_follow_up_on=today.isoformat()),
    )
    assert response.status_code == 302
    home = client.get("/").content.decode()
    due = home.split('id="follow-ups-due"')[1]
    assert "成都火锅连锁" in due and "约下次见面" in due
    interaction = Interaction.objects.get()
    response = client.post(
        reverse("customers:interaction_done", args=[interaction.pk]), {"next": "/"}
    )
    assert response.status_code == 302 and response.url == "/"
    interaction.refresh_from_db()
    assert interaction.is_follow_up_done
    home = client.get("/").content.decode()
    assert "约下次见面" not in home.split('id="follow-ups-due"')[1]


def test_done_with_htmx_and_unsafe_next(client, org, customer):
    interaction = interaction_create(
        actor=org.east_rep,
        customer=customer,
        kind="call",
        content="x",
        next_follow_up_on=timezone.localdate(),
    )
    client.force_login(org.east_rep)
    url = reverse("customers:interaction_done", args=[interaction.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert (
        response.status_code == 200 and 'data-testid="follow-up-done"' in response.content.decode()
    )
    response = client.post(url, {"next": "https://evil.example.com/"})
    assert response.url.startswith(reverse("customers:customer_detail", args=[customer.pk]))


def test_edit_follow_up_and_conflict(client, org, customer):
    interaction = interaction_create(
        actor=org.east_rep, customer=customer, kind="call", content="旧"
    )
    interaction_update(
        actor=org.manager, interaction=interaction, expected_version=1, content="经理改的"
    )
    client.force_login(org.east_rep)
    url = reverse("customers:interaction_update", args=[interaction.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _follow_up(content="我改的", version=1))
    html = response.content.decode()
    assert 'id="conflict-message"' in html and "经理改的" in html and "我改的" in html
    interaction.refresh_from_db()
    assert interaction.content == "经理改的"
    response = client.post(url, _follow_up(content="我改的", version=2))
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert interaction.content == "我改的"


def test_delete_follow_up(client, org, customer):
    interaction = interaction_create(
        actor=org.east_rep, customer=customer, kind="call", content="x"
    )
    client.force_login(org.east_rep)
    url = reverse("customers:interaction_delete", args=[interaction.pk])
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    interaction.refresh_from_db()
    assert interaction.deleted_at is not None


def test_follow_ups_of_another_reps_customer_are_404(client, org, customer):
    interaction = interaction_create(
        actor=org.east_rep, customer=customer, kind="call", content="x"
    )
    client.force_login(org.west_rep)
    for name in ["interaction_done", "interaction_delete", "interaction_update"]:
        url = reverse(f"customers:{name}", args=[interaction.pk])
        assert client.post(url, _follow_up(version=1)).status_code == 404
    interaction.refresh_from_db()
    assert interaction.deleted_at is None and interaction.content == "x"


def test_service_agent_records_but_cannot_edit(client, org, customer):
    client.force_login(org.service_agent)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        _follow_up(
            occurred_at=(timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        ),
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    url = reverse("customers:interaction_update", args=[interaction.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "0001-01-01T00:00"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59"}, "occurred_at"),
        ({"occurred_at": "garbage"}, "occurred_at"),
        ({"next_follow_up_on": "0001-01-01"}, "next_follow_up_on"),
        ({"content": "长" * 20_001}, "content"),
        ({"contact": "abc"}, "contact"),
    ],
)
def test_bad_follow_up_input_is_a_field_error(client, org, customer, overrides, field):
    client.force_login(org.east_rep)
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]), _follow_up(**overrides)
    )
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Interaction.objects.count() == 0
