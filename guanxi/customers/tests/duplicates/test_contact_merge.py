"""contact_merge and contact_merge_undo: values, follow-ups, primary flag, audit, scope."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.models import Contact, ContactDuplicatePair, ContactMerge, Interaction
from guanxi.customers.services import contact_update
from guanxi.customers.services.contacts import EDITABLE_FIELDS
from guanxi.customers.services.merge import (
    contact_merge,
    contact_merge_undo,
    register_contact_merge_handler,
)
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory
from guanxi.platform.audit import snapshot
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def state(contact: Contact) -> dict[str, Any]:
    fresh = Contact.objects.get(pk=contact.pk)
    return {
        **snapshot(fresh, EDITABLE_FIELDS),
        "deleted": fresh.deleted_at is not None,
        "customer": fresh.customer_id,
        "interactions": sorted(
            Interaction.objects.filter(contact=fresh).values_list("pk", flat=True)
        ),
        "search_text": fresh.search_text,
    }


@pytest.fixture
def two(org):
    customer = CustomerFactory(owner=org.east_rep, name="杭州云栖科技")
    survivor = ContactFactory(
        customer=customer, name="陈建国", phones=["13812345678"], emails=["chen@yunqi.cn"]
    )
    other = ContactFactory(
        customer=customer,
        name="陳建國",
        title="总经理",
        phones=["13812345678", "13900001111"],
        emails=["jg@yunqi.cn"],
    )
    assert Contact.objects.get(pk=survivor.pk).is_primary
    InteractionFactory(customer=customer, contact=other)
    InteractionFactory(customer=customer, contact=other)
    InteractionFactory(customer=customer, contact=survivor)
    return Contact.objects.get(pk=survivor.pk), Contact.objects.get(pk=other.pk)


def test_merge_moves_follow_ups_and_applies_choices(org, two) -> None:
    survivor, other = two
    merge = contact_merge(
        actor=org.east_rep,
        survivor=other,
        other=survivor,
        field_choices={"name": "other"},
        expected_versions={survivor.pk: survivor.version, other.pk: other.version},
    )
    kept = Contact.objects.get(pk=other.pk)
    assert kept.name == "陈建国"
    assert kept.title == "总经理"
    assert kept.phones == ["+8613812345678", "+8613900001111"]
    assert kept.emails == ["jg@yunqi.cn", "chen@yunqi.cn"]
    assert kept.is_primary  # the merged-away contact was the primary one
    assert Interaction.objects.filter(contact=kept).count() == 3
    gone = Contact.objects.get(pk=survivor.pk)
    assert gone.deleted_at is not None and not gone.is_primary
    assert len(merge.moved["customers.interaction"]) == 1
    entries = AuditEntry.objects.filter(action="customers.contact.merged")
    assert {entry.object_id for entry in entries} == {str(survivor.pk), str(other.pk)}


def test_undo_restores_everything(org, two) -> None:
    survivor, other = two
    before = (state(survivor), state(other))
    merge = contact_merge(
        actor=org.east_rep, survivor=survivor, other=other, field_choices={"title": "other"}
    )
    assert state(survivor) != before[0]
    contact_merge_undo(actor=org.east_rep, merge=merge)
    assert (state(survivor), state(other)) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert AuditEntry.objects.filter(action="customers.contact.merge_undone").count() == 2
    with pytest.raises(ValidationError):
        contact_merge_undo(actor=org.east_rep, merge=merge)


def test_merge_and_undo_update_the_pair(org, two) -> None:
    survivor, other = two
    low, high = sorted([survivor.pk, other.pk])
    pair = ContactDuplicatePair.objects.create(contact_a_id=low, contact_b_id=high, score=60)
    merge = contact_merge(actor=org.east_rep, survivor=survivor, other=other)
    pair.refresh_from_db()
    assert pair.status == "merged" and merge.duplicate_pair_id == pair.pk
    contact_merge_undo(actor=org.east_rep, merge=merge)
    pair.refresh_from_db()
    assert pair.status == "open"


def test_stale_version_changes_nothing(org, two) -> None:
    survivor, other = two
    before = (state(survivor), state(other))
    with pytest.raises(ConflictError):
        contact_merge(
            actor=org.east_rep,
            survivor=survivor,
            other=other,
            expected_versions={survivor.pk: survivor.version, other.pk: other.version - 1},
        )
    assert (state(survivor), state(other)) == before
    assert not ContactMerge.objects.exists()


def test_contacts_of_two_customers_are_not_merged(org, two) -> None:
    survivor, _other = two
    elsewhere = ContactFactory(
        customer=CustomerFactory(owner=org.east_rep, name="成都熊猫"), name="陈建国"
    )
    before = (state(survivor), state(elsewhere))
    with pytest.raises(ValidationError):
        contact_merge(actor=org.east_rep, survivor=survivor, other=elsewhere)
    assert (state(survivor), state(elsewhere)) == before


def test_out_of_scope_is_not_found(org, two) -> None:
    survivor, other = two
    before = (state(survivor), state(other))
    with pytest.raises(NotFound):
        contact_merge(actor=org.west_rep, survivor=survivor, other=other)
    merge = contact_merge(actor=org.east_rep, survivor=survivor, other=other)
    with pytest.raises(NotFound):
        contact_merge_undo(actor=org.west_rep, merge=merge)
    contact_merge_undo(actor=org.east_rep, merge=merge)
    assert (state(survivor), state(other)) == before


def test_undo_refuses_after_the_survivor_changed(org, two) -> None:
    survivor, other = two
    merge = contact_merge(actor=org.east_rep, survivor=survivor, other=other)
    contact_update(
        actor=org.east_rep,
        contact=Contact.objects.get(pk=survivor.pk),
        expected_version=None,
        title="董事长",
    )
    with pytest.raises(ConflictError):
        contact_merge_undo(actor=org.east_rep, merge=merge)
    assert Contact.objects.get(pk=other.pk).deleted_at is not None


def test_registered_handlers_move_other_rows(org, two) -> None:
    from guanxi.customers.services import merge as merge_module

    calls: list[tuple[int, int, Any]] = []

    def handler(*, actor, source, target, ids=None) -> list[int]:
        calls.append((source.pk, target.pk, ids))
        return [7]

    register_contact_merge_handler(handler, name="tests.thing")
    try:
        survivor, other = two
        merge = contact_merge(actor=org.east_rep, survivor=survivor, other=other)
        contact_merge_undo(actor=org.east_rep, merge=merge)
    finally:
        merge_module._contact_handlers.pop("tests.thing")
    assert calls == [(other.pk, survivor.pk, None), (survivor.pk, other.pk, [7])]
