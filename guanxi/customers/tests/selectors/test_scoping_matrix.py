"""The authorisation matrix at selector and service level.

Every actor of the test company × every resource (customers, contacts,
follow-ups) × every action (list, get, change, delete, restore, export): the
actor reaches exactly the rows the table below names and nothing else. A row
outside the scope is NotFound (never "forbidden", so its existence does not
leak) and an attempted write outside it changes nothing.

The company (guanxi/conftest.py `org`) plus one customer per corner of the tree:
    east1  owned by east_rep  (华东组)      east2  owned by east_rep2 (华东组)
    west   owned by west_rep  (华西组)      hq     owned by admin     (总公司)
each with one contact and one follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from guanxi.accounts.builtin_roles import CUSTOMER_READ, CUSTOMER_WRITE
from guanxi.accounts.services import role_create, user_create
from guanxi.customers import selectors, services
from guanxi.customers.models import Contact, Customer, Interaction
from guanxi.customers.permissions import EXPORT_CUSTOMERS
from guanxi.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
)
from guanxi.platform.exceptions import NotFound, PermissionDenied
from guanxi.platform.selectors import recycle_bin_list

ALL = "east1 east2 west hq"
SALES = "east1 east2 west"
EAST = "east1 east2"
NONE = ""

# actor        -> (view,  change / delete / restore,  export)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "admin": (ALL, ALL, ALL),
    "manager": (SALES, SALES, SALES),  # 销售部 and its sub-teams
    "east_rep": ("east1", "east1", NONE),  # own records, no export permission
    "east_lead": (EAST, EAST, EAST),  # custom role, data scope "team" (华东组)
    "service": (ALL, NONE, NONE),  # reads everything, edits nothing
    "inactive": (NONE, NONE, NONE),
    "anonymous": (NONE, NONE, NONE),
    "no_role": (NONE, NONE, NONE),
}
ACTORS = list(EXPECTED)
RESOURCES = ["customer", "contact", "interaction"]


def expected(actor: str, column: int) -> set[str]:
    return set(EXPECTED[actor][column].split())


@dataclass
class World:
    actors: dict[str, Any]
    rows: dict[str, dict[str, Any]]  # resource -> label -> row

    def label_of(self, resource: str, pk: int) -> str:
        return next(label for label, row in self.rows[resource].items() if row.pk == pk)

    def labels(self, resource: str, rows: Any) -> set[str]:
        return {self.label_of(resource, row.pk) for row in rows}


@pytest.fixture
def world(org: Any) -> World:
    lead_role = role_create(
        actor=org.admin,
        code="east_lead",
        name="组长",
        data_scope="team",
        permissions=[*CUSTOMER_READ, *CUSTOMER_WRITE, EXPORT_CUSTOMERS],
    )
    east_lead = user_create(
        actor=None, username="lead", password="Lead-pw-2026!", role=lead_role, team=org.east
    )
    inactive = user_create(
        actor=None,
        username="gone",
        password="Gone-pw-2026!",
        role=org.east_rep.role,
        team=org.east,
    )
    type(inactive).objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    no_role = user_create(actor=None, username="norole", password="Norole-pw-2026!", team=org.east)
    owners = {
        "east1": org.east_rep,
        "east2": org.east_rep2,
        "west": org.west_rep,
        "hq": org.admin,
    }
    rows: dict[str, dict[str, Any]] = {r: {} for r in RESOURCES}
    for label, owner in owners.items():
        customer = CustomerFactory(owner=owner, name=f"{label}客户")
        rows["customer"][label] = customer
        rows["contact"][label] = ContactFactory(customer=customer)
        rows["interaction"][label] = InteractionFactory(customer=customer)
    return World(
        actors={
            "admin": org.admin,
            "manager": org.manager,
            "east_rep": org.east_rep,
            "east_lead": east_lead,
            "service": org.service_agent,
            "inactive": inactive,
            "anonymous": AnonymousUser(),
            "no_role": no_role,
        },
        rows=rows,
    )


MODELS = {"customer": Customer, "contact": Contact, "interaction": Interaction}
LISTS = {
    "customer": selectors.customer_list,
    "contact": selectors.contact_list,
    "interaction": selectors.interaction_list,
}
GETS = {
    "customer": lambda actor, pk: selectors.customer_get(actor=actor, customer_id=pk),
    "contact": lambda actor, pk: selectors.contact_get(actor=actor, contact_id=pk),
    "interaction": lambda actor, pk: selectors.interaction_get(actor=actor, interaction_id=pk),
}
# A harmless edit per resource: (service call, field, new value)
UPDATES = {
    "customer": (
        lambda actor, row: services.customer_update(
            actor=actor, customer=row, expected_version=row.version, industry="制造业"
        ),
        "industry",
        "制造业",
    ),
    "contact": (
        lambda actor, row: services.contact_update(
            actor=actor, contact=row, expected_version=row.version, title="总监"
        ),
        "title",
        "总监",
    ),
    "interaction": (
        lambda actor, row: services.interaction_update(
            actor=actor, interaction=row, expected_version=row.version, content="已改"
        ),
        "content",
        "已改",
    ),
}
DELETES = {
    "customer": lambda actor, row: services.customer_delete(actor=actor, customer=row),
    "contact": lambda actor, row: services.contact_delete(actor=actor, contact=row),
    "interaction": lambda actor, row: services.interaction_delete(actor=actor, interaction=row),
}
RESTORES = {
    "customer": services.customer_restore,
    "contact": services.contact_restore,
    "interaction": services.interaction_restore,
}

matrix = pytest.mark.parametrize("resource", RESOURCES)
every_actor = pytest.mark.parametrize("actor_name", ACTORS)


@every_actor
@matrix
def test_list_shows_exactly_the_rows_in_scope(world: World, actor_name: str, resource: str):
    actor = world.actors[actor_name]
    assert world.labels(resource, LISTS[resource](actor=actor)) == expected(actor_name, 0)


@every_actor
@matrix
def test_get_returns_rows_in_scope_and_404s_the_rest(world: World, actor_name: str, resource: str):
    actor = world.actors[actor_name]
    for label, row in world.rows[resource].items():
        if label in expected(actor_name, 0):
            assert GETS[resource](actor, row.pk).pk == row.pk
        else:
            with pytest.raises(NotFound):
                GETS[resource](actor, row.pk)


@every_actor
@matrix
def test_change_succeeds_in_scope_and_changes_nothing_outside(
    world: World, actor_name: str, resource: str
):
    actor = world.actors[actor_name]
    update, field, value = UPDATES[resource]
    for label, row in world.rows[resource].items():
        before = MODELS[resource].objects.get(pk=row.pk)
        if label in expected(actor_name, 1):
            updated = update(actor, row)
            assert getattr(updated, field) == value
            assert updated.version == before.version + 1
        else:
            with pytest.raises(NotFound):
                update(actor, row)
            after = MODELS[resource].objects.get(pk=row.pk)
            assert (getattr(after, field), after.version) == (
                getattr(before, field),
                before.version,
            )


@every_actor
@matrix
def test_delete_succeeds_in_scope_and_changes_nothing_outside(
    world: World, actor_name: str, resource: str
):
    actor = world.actors[actor_name]
    for label, row in world.rows[resource].items():
        if label in expected(actor_name, 1):
            DELETES[resource](actor, row)
            assert MODELS[resource].objects.get(pk=row.pk).deleted_at is not None
        else:
            with pytest.raises(NotFound):
                DELETES[resource](actor, row)
            assert MODELS[resource].objects.get(pk=row.pk).deleted_at is None


@every_actor
@matrix
def test_recycle_bin_and_restore_follow_the_delete_scope(
    world: World, actor_name: str, resource: str
):
    actor = world.actors[actor_name]
    admin = world.actors["admin"]
    for row in world.rows[resource].values():
        DELETES[resource](admin, row)
    model = MODELS[resource]
    (_entry, binned) = recycle_bin_list(actor=actor, type_key=model._meta.label_lower)[0]
    assert world.labels(resource, binned) == expected(actor_name, 1)
    for label, row in world.rows[resource].items():
        stored = model.objects.get(pk=row.pk)
        if label in expected(actor_name, 1):
            RESTORES[resource](actor=actor, instance=stored)
            assert model.objects.get(pk=row.pk).deleted_at is None
        else:
            with pytest.raises(NotFound):
                RESTORES[resource](actor=actor, instance=stored)
            assert model.objects.get(pk=row.pk).deleted_at is not None


@every_actor
def test_export_reaches_only_rows_in_scope_with_the_export_permission(
    world: World, actor_name: str
):
    actor = world.actors[actor_name]
    exported = selectors.customer_list(actor=actor, action="export")
    assert world.labels("customer", exported) == expected(actor_name, 2)


@every_actor
def test_deleted_rows_leave_every_list(world: World, actor_name: str):
    """A deleted customer takes its contacts and follow-ups out of every list with it."""
    actor = world.actors[actor_name]
    services.customer_delete(actor=world.actors["admin"], customer=world.rows["customer"]["east1"])
    for resource in RESOURCES:
        visible = world.labels(resource, LISTS[resource](actor=actor))
        assert visible == expected(actor_name, 0) - {"east1"}


CAN_CREATE = {"admin", "manager", "east_rep", "east_lead"}


@every_actor
def test_create_needs_the_add_permission(world: World, actor_name: str):
    actor = world.actors[actor_name]
    customer = world.rows["customer"]["east1"]
    count = Customer.objects.count(), Contact.objects.count()
    if actor_name in CAN_CREATE:
        assert services.customer_create(actor=actor, name="新客户").owner == actor
    else:
        with pytest.raises((PermissionDenied, NotFound)):
            services.customer_create(actor=actor, name="新客户")
        with pytest.raises((PermissionDenied, NotFound)):
            services.contact_create(actor=actor, customer=customer, name="新联系人")
        assert (Customer.objects.count(), Contact.objects.count()) == count
