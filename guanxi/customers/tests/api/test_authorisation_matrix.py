"""The authorisation matrix through the REST API.

Each role × customers / contacts / follow-ups: a list returns exactly the rows
in scope; GET, PATCH, DELETE and restore of a row outside it are 404 (its
existence does not leak) and change nothing; the service role reads everything
but cannot write customers or contacts, and sees phones and e-mails masked.

One customer per corner of the company tree (guanxi/conftest.py `org`):
    east1 owned by east_rep (华东组)   east2 owned by east_rep2 (华东组)
    west  owned by west_rep (华西组)   hq    owned by admin (总公司)
each with one contact (phone and e-mail) and one follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory
from guanxi.platform.testing.api_client import ApiClient, assert_problem, token_for

pytestmark = pytest.mark.django_db

ALL = {"east1", "east2", "west", "hq"}
SALES = {"east1", "east2", "west"}

# role -> (rows it sees, rows it may change/delete)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "admin": (ALL, ALL),
    "manager": (SALES, SALES),
    "east_rep": ({"east1"}, {"east1"}),
    "west_rep": ({"west"}, {"west"}),
    "service_agent": (ALL, set()),
}
ROLES = list(EXPECTED)
RESOURCES = {"customers": "customer", "contacts": "contact", "interactions": "interaction"}
PATCHES = {
    "customers": {"source": "API"},
    "contacts": {"title": "API"},
    "interactions": {"content": "API"},
}


@dataclass
class World:
    rows: dict[str, dict[str, int]]  # resource path -> label -> id

    def label(self, resource: str, pk: int) -> str:
        return next(label for label, row_id in self.rows[resource].items() if row_id == pk)


@pytest.fixture
def world(org: Any) -> World:
    owners = {
        "east1": org.east_rep,
        "east2": org.east_rep2,
        "west": org.west_rep,
        "hq": org.admin,
    }
    rows: dict[str, dict[str, int]] = {"customers": {}, "contacts": {}, "interactions": {}}
    for label, owner in owners.items():
        customer = CustomerFactory(owner=owner, phones=["13812345678"], emails=["boss@example.com"])
        contact = ContactFactory(
            customer=customer, phones=["13987654321"], emails=["li@example.com"]
        )
        interaction = InteractionFactory(customer=customer)
        rows["customers"][label] = customer.pk
        rows["contacts"][label] = contact.pk
        rows["interactions"][label] = interaction.pk
    return World(rows=rows)


@pytest.fixture
def api_for(org: Any) -> Any:
    cache: dict[str, ApiClient] = {}

    def get(role: str) -> ApiClient:
        if role not in cache:
            cache[role] = ApiClient(token_for(getattr(org, role)))
        return cache[role]

    return get


@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_list_returns_only_rows_in_scope(
    world: World, api_for: Any, role: str, resource: str
) -> None:
    response = api_for(role).get(f"/api/v1/{resource}?limit=200")

    assert response.status_code == 200, response.content
    labels = {world.label(resource, item["id"]) for item in response.json()["items"]}
    assert labels == EXPECTED[role][0]


@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_rows_are_404_for_every_verb(
    world: World, api_for: Any, role: str, resource: str
) -> None:
    api = api_for(role)
    visible, _changeable = EXPECTED[role]
    for label in ALL - visible:
        url = f"/api/v1/{resource}/{world.rows[resource][label]}"
        assert_problem(api.get(url), 404)
        assert_problem(api.patch(url, PATCHES[resource]), 404)
        assert_problem(api.delete(url), 404)
        assert_problem(api.post(f"{url}/restore"), 404)
    # ... and nothing changed: the admin still sees every row, unmodified.
    admin_view = api_for("admin").get(f"/api/v1/{resource}?limit=200").json()["items"]
    assert len(admin_view) == 4
    for item in admin_view:
        assert "API" not in (item.get("source"), item.get("title"), item.get("content"))


@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("role", ROLES)
def test_writes_inside_scope_follow_permissions(
    world: World, api_for: Any, role: str, resource: str
) -> None:
    api = api_for(role)
    visible, changeable = EXPECTED[role]
    for label in visible:
        url = f"/api/v1/{resource}/{world.rows[resource][label]}"
        response = api.patch(url, PATCHES[resource])
        if label in changeable:
            assert response.status_code == 200, response.content
        else:
            assert response.status_code in (403, 404), response.content
            assert response["Content-Type"].startswith("application/problem+json")
            assert api.delete(url).status_code in (403, 404)
            assert api.get(url).status_code == 200  # still there


def test_service_role_cannot_create_customers_or_contacts(
    org: Any, world: World, api_for: Any
) -> None:
    from guanxi.customers.selectors import customer_list

    api = api_for("service_agent")
    before = customer_list(actor=org.admin).count()

    assert_problem(api.post("/api/v1/customers", {"name": "客服建的"}), 403)
    response = api.post(
        "/api/v1/contacts", {"customer": world.rows["customers"]["east1"], "name": "某人"}
    )
    assert response.status_code in (403, 404)
    assert customer_list(actor=org.admin).count() == before


def test_service_role_may_record_follow_ups(world: World, api_for: Any) -> None:
    response = api_for("service_agent").post(
        "/api/v1/interactions",
        {"customer": world.rows["customers"]["west"], "kind": "call", "content": "客户来电咨询"},
    )
    assert response.status_code == 201, response.content


def test_reps_cannot_attach_records_to_customers_outside_scope(world: World, api_for: Any) -> None:
    api = api_for("east_rep")
    west = world.rows["customers"]["west"]

    assert_problem(api.post("/api/v1/contacts", {"customer": west, "name": "越权"}), 404)
    assert_problem(
        api.post("/api/v1/interactions", {"customer": west, "kind": "note", "content": "越权"}),
        404,
    )


@pytest.mark.parametrize(
    ("role", "masked"),
    [("service_agent", True), ("east_rep", False), ("manager", False), ("admin", False)],
)
def test_phones_and_emails_are_masked_without_the_permission(
    world: World, api_for: Any, role: str, masked: bool
) -> None:
    api = api_for(role)
    label = "east1" if role != "manager" else "west"
    customer = api.get(f"/api/v1/customers/{world.rows['customers'][label]}").json()
    contact = api.get(f"/api/v1/contacts/{world.rows['contacts'][label]}").json()
    listed = api.get("/api/v1/customers?limit=200").json()["items"]

    for phones, emails in [
        (customer["phones"], customer["emails"]),
        (contact["phones"], contact["emails"]),
        *((item["phones"], item["emails"]) for item in listed),
    ]:
        assert phones and emails
        for value in phones + emails:
            assert ("*" in value) is masked, value
    if masked:
        assert customer["phones"] == ["138****5678"]
        assert "12345678" not in str(listed)


def test_manager_can_reassign_within_scope_but_rep_cannot(
    org: Any, world: World, api_for: Any
) -> None:
    east1 = world.rows["customers"]["east1"]

    rep = api_for("east_rep").patch(f"/api/v1/customers/{east1}", {"owner": org.west_rep.pk})
    assert_problem(rep, 422)
    manager = api_for("manager").patch(f"/api/v1/customers/{east1}", {"owner": org.east_rep2.pk})
    assert manager.status_code == 200, manager.content
    assert manager.json()["owner"] == org.east_rep2.pk


def test_handing_a_customer_out_of_scope_answers_200_then_404(
    org: Any, world: World, api_for: Any
) -> None:
    api = api_for("manager")
    url = f"/api/v1/customers/{world.rows['customers']['west']}"

    response = api.patch(url, {"owner": org.admin.pk, "team": org.hq.pk})

    assert response.status_code == 200, response.content
    assert response.json()["owner"] == org.admin.pk
    assert_problem(api.get(url), 404)
