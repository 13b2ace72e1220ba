"""customer_merge and customer_merge_undo."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.customers.models import Contact, Customer, CustomerMerge, Interaction
from guanxi.customers.services import customer_merge, customer_merge_undo, customer_update
from guanxi.customers.services.customers import customer_snapshot
from guanxi.customers.tests.factories import (
    ContactFactory,
    CustomerFactory,
    InteractionFactory,
    TagFactory,
)
from guanxi.platform.exceptions import ConflictError, NotFound
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def state(customer: Customer) -> dict[str, Any]:
    """Everything a merge touches, for before/after comparisons."""
    fresh = Customer.objects.get(pk=customer.pk)
    return {
        **customer_snapshot(fresh),
        "deleted": fresh.deleted_at is not None,
        "contacts": sorted(Contact.objects.filter(customer=fresh).values_list("pk", "is_primary")),
        "interactions": sorted(
            Interaction.objects.filter(customer=fresh).values_list("pk", flat=True)
        ),
        "search_text": fresh.search_text,
        "name_pinyin": fresh.name_pinyin,
    }


@pytest.fixture
def two(org):
    red, blue = TagFactory(actor=org.admin), TagFactory(actor=org.admin)
    survivor = CustomerFactory(
        owner=org.east_rep,
        name="杭州云栖科技",
        phones=["13812345678"],
        emails=["a@yunqi.cn"],
        tags=[red],
    )
    other = CustomerFactory(
        owner=org.east_rep,
        name="杭州云栖科技有限公司",
        industry="软件",
        phones=["13812345678", "13900001111"],
        emails=["b@yunqi.cn"],
        tags=[blue],
    )
    ContactFactory(customer=survivor, name="甲", is_primary=True)
    ContactFactory(customer=other, name="乙", is_primary=True)
    ContactFactory(customer=other, name="丙")
    InteractionFactory(customer=other)
    InteractionFactory(customer=survivor)
    return survivor, other, {red.pk, blue.pk}


def test_merge_moves_everything_and_applies_choices(org, two) -> None:
    survivor, other, tag_ids = two
    merge = customer_merge(
        actor=org.east_rep,
        survivor=survivor,
        other=other,
        field_choices={"name": "other", "industry": "other"},
        expected_versions={survivor.pk: survivor.version, other.pk: other.version},
    )
    survivor.refresh_from_db()
    assert survivor.name == "杭州云栖科技有限公司"
    assert survivor.industry == "软件"
    assert survivor.phones == ["+8613812345678", "+8613900001111"]
    assert survivor.emails == ["a@yunqi.cn", "b@yunqi.cn"]
    assert set(survivor.tags.values_list("pk", flat=True)) == tag_ids
    assert Contact.objects.filter(customer=survivor).count() == 3
    assert Contact.objects.filter(customer=survivor, is_primary=True).count() == 1
    assert Interaction.objects.filter(customer=survivor).count() == 2
    other.refresh_from_db()
    assert other.deleted_at is not None
    entries = AuditEntry.objects.filter(action="customers.customer.merged")
    assert {e.object_id for e in entries} == {str(survivor.pk), str(other.pk)}
    for entry in entries:
        assert entry.changes["merge"]["other_snapshot"]["name"] == "杭州云栖科技有限公司"
        assert len(entry.changes["merge"]["moved"]["customers.contact"]) == 2
    assert merge.moved["customers.interaction"]


def test_stale_version_changes_nothing(org, two) -> None:
    survivor, other, _tags = two
    before = (state(survivor), state(other))
    with pytest.raises(ConflictError):
        customer_merge(
            actor=org.east_rep,
            survivor=survivor,
            other=other,
            field_choices={"name": "other"},
            expected_versions={survivor.pk: survivor.version, other.pk: other.version - 1},
        )
    assert (state(survivor), state(other)) == before
    assert not CustomerMerge.objects.exists()


def test_out_of_scope_is_not_found(org, two) -> None:
    survivor, _other, _tags = two
    theirs = CustomerFactory(owner=org.west_rep, name="杭州云栖")
    before = (state(survivor), state(theirs))
    with pytest.raises(NotFound):
        customer_merge(actor=org.east_rep, survivor=survivor, other=theirs)
    with pytest.raises(NotFound):
        customer_merge(actor=org.east_rep, survivor=theirs, other=survivor)
    assert (state(survivor), state(theirs)) == before


def test_undo_restores_everything(org, two) -> None:
    survivor, other, _tags = two
    before = (state(survivor), state(other))
    merge = customer_merge(
        actor=org.east_rep,
        survivor=survivor,
        other=other,
        field_choices={"name": "other", "industry": "other"},
    )
    customer_merge_undo(actor=org.east_rep, merge=merge)
    assert (state(survivor), state(other)) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert AuditEntry.objects.filter(action="customers.customer.merge_undone").count() == 2


def test_undo_refuses_after_the_survivor_changed(org, two) -> None:
    survivor, other, _tags = two
    merge = customer_merge(actor=org.east_rep, survivor=survivor, other=other)
    customer_update(
        actor=org.east_rep,
        customer=Customer.objects.get(pk=survivor.pk),
        expected_version=None,
        city="杭州",
    )
    with pytest.raises(ConflictError):
        customer_merge_undo(actor=org.east_rep, merge=merge)


def test_registered_handlers_move_other_rows(org, two) -> None:
    from guanxi.customers.services import merge as merge_module

    calls: list[tuple[int, int, Any]] = []

    def handler(*, actor, source, target, ids=None) -> list[int]:
        calls.append((source.pk, target.pk, ids))
        return [42]

    merge_module.register_merge_handler(handler, name="tests.thing")
    try:
        survivor, other, _tags = two
        merge = customer_merge(actor=org.east_rep, survivor=survivor, other=other)
        customer_merge_undo(actor=org.east_rep, merge=merge)
    finally:
        merge_module._handlers.pop("tests.thing")
    assert calls == [(other.pk, survivor.pk, None), (survivor.pk, other.pk, [42])]
