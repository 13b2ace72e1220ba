"""The authorisation matrix on the pages: each role × each customer-owned record ×
each page (list, 360, edit, contact edit, follow-up edit, export). Nothing outside
a role's scope is visible, editable or exportable; not-found equals forbidden (404)."""

from __future__ import annotations

import csv
import io

import pytest

from guanxi.customers.services import contact_create, customer_create, interaction_create

pytestmark = pytest.mark.django_db

RECORDS = ["east", "west", "hq"]  # owned by east_rep (华东组), west_rep (华西组), admin (总公司)
# role -> (records it sees, records it may edit, may it export)
EXPECTED = {
    "admin": ({"east", "west", "hq"}, {"east", "west", "hq"}, True),
    "manager": ({"east", "west"}, {"east", "west"}, True),
    "east_rep": ({"east"}, {"east"}, False),
    "west_rep": ({"west"}, {"west"}, False),
    "service_agent": ({"east", "west", "hq"}, set(), False),
}


@pytest.fixture
def records(org):
    owners = {"east": org.east_rep, "west": org.west_rep, "hq": org.admin}
    result = {}
    for key, owner in owners.items():
        customer = customer_create(actor=owner, name=f"客户{key}", phones=["13812345678"])
        contact = contact_create(actor=owner, customer=customer, name=f"联系人{key}")
        interaction = interaction_create(
            actor=owner, customer=customer, kind="call", content="电话"
        )
        result[key] = (customer, contact, interaction)
    return result


def _pages(customer, contact, interaction) -> dict[str, tuple[str, str]]:
    """page -> (URL, whether it needs edit rights)"""
    return {
        "detail": (f"/customers/{customer.pk}/", "view"),
        "history": (f"/customers/{customer.pk}/history/", "view"),
        "update": (f"/customers/{customer.pk}/update/", "change"),
        "contact_update": (f"/customers/contacts/{contact.pk}/update/", "change"),
        "interaction_update": (f"/customers/interactions/{interaction.pk}/update/", "change"),
    }


@pytest.mark.parametrize("role", list(EXPECTED))
def test_pages_show_and_edit_exactly_what_the_role_may(client, org, records, role):
    visible, editable, _can_export = EXPECTED[role]
    client.force_login(getattr(org, role))
    listing = client.get("/customers/").content.decode()
    contacts = client.get("/customers/contacts/").content.decode()
    for key in RECORDS:
        customer, contact, interaction = records[key]
        assert (customer.name in listing) == (key in visible), (role, key, "list")
        assert (contact.name in contacts) == (key in visible), (role, key, "contact list")
        for page, (url, needs) in _pages(customer, contact, interaction).items():
            allowed = key in (visible if needs == "view" else editable)
            status = client.get(url).status_code
            assert status == (200 if allowed else 404), (role, key, page, status)


@pytest.mark.parametrize("role", list(EXPECTED))
def test_writes_outside_scope_change_nothing(client, org, records, role):
    _visible, editable, _can_export = EXPECTED[role]
    client.force_login(getattr(org, role))
    for key in RECORDS:
        customer, _contact, _interaction = records[key]
        response = client.post(f"/customers/{customer.pk}/delete/")
        customer.refresh_from_db()
        assert (customer.deleted_at is not None) == (key in editable), (role, key)
        if key not in editable:
            assert response.status_code == 404


@pytest.mark.parametrize("role", list(EXPECTED))
def test_exports_hold_exactly_the_visible_customers(client, org, records, role):
    visible, _editable, can_export = EXPECTED[role]
    client.force_login(getattr(org, role))
    response = client.get("/customers/export.csv")
    if not can_export:
        assert response.status_code == 403
        return
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    names = {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {records[key][0].name for key in visible}
