"""Follow-ups (跟进记录): last_interaction_at, follow-ups due, audit, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.customers.models import Customer, Interaction
from guanxi.customers.selectors import follow_ups_due, interaction_list
from guanxi.customers.services import (
    customer_delete,
    interaction_create,
    interaction_delete,
    interaction_follow_up_done,
    interaction_restore,
    interaction_update,
)
from guanxi.customers.services.interactions import CONTACT_OF_OTHER_CUSTOMER, CONTENT_REQUIRED
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory
from guanxi.customers.tests.services.conftest import ORIGIN_IP, audit_entries, only_entry
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.models import AuditEntry

NOW = timezone.now().replace(microsecond=0)


def hours_ago(hours: int) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours)


def last_interaction_at(customer: Customer) -> dt.datetime | None:
    return Customer.objects.get(pk=customer.pk).last_interaction_at


def test_create_audits_and_sets_last_interaction_at(org, origin):
    customer = CustomerFactory(owner=org.east_rep)
    interaction = interaction_create(
        actor=org.east_rep,
        customer=customer,
        kind="call",
        content="<p>聊了报价</p><img src=x onerror=alert(1)>",
        occurred_at=hours_ago(3),
    )
    assert interaction.author == org.east_rep
    assert "onerror" not in interaction.content and "聊了报价" in interaction.content
    assert last_interaction_at(customer) == hours_ago(3)
    entry = only_entry(interaction, "customers.interaction.created")
    assert entry.ip_address == ORIGIN_IP and entry.changes["customer"] == customer.pk


def test_last_interaction_at_is_the_newest_live_follow_up(org):
    customer = CustomerFactory(owner=org.east_rep)
    newest = InteractionFactory(customer=customer, occurred_at=hours_ago(1))
    InteractionFactory(customer=customer, occurred_at=hours_ago(48))  # an older one, added later
    assert last_interaction_at(customer) == hours_ago(1)
    interaction_delete(actor=org.east_rep, interaction=newest)
    assert last_interaction_at(customer) == hours_ago(48)
    interaction_restore(actor=org.east_rep, instance=newest)
    assert last_interaction_at(customer) == hours_ago(1)
    interaction_update(
        actor=org.east_rep, interaction=newest, expected_version=None, occurred_at=hours_ago(100)
    )
    assert last_interaction_at(customer) == hours_ago(48)


def test_naive_times_are_taken_as_local_time(org):
    interaction = InteractionFactory(
        customer=CustomerFactory(owner=org.east_rep), occurred_at=dt.datetime(2026, 1, 2, 9, 30)
    )
    assert timezone.is_aware(interaction.occurred_at)
    assert timezone.localtime(interaction.occurred_at).hour == 9


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"content": ""}, "content"),
        ({"content": "<script>x</script>"}, "content"),
        ({"content": "x" * 30_000}, "content"),
        ({"kind": "telepathy"}, "kind"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"next_follow_up_on": "soon"}, "next_follow_up_on"),
        ({"contact": "abc"}, "contact"),
        ({"author": 1}, "author"),
        ({"occurred_at": {"when": "now"}}, "occurred_at"),
        ({"occurred_at": 1700000000}, "occurred_at"),
        ({"next_follow_up_on": ["2026-01-01"]}, "next_follow_up_on"),
        ({"next_follow_up_on": 5}, "next_follow_up_on"),
        ({"kind": None}, "kind"),
        ({"is_follow_up_done": "maybe"}, "is_follow_up_done"),
    ],
)
def test_bad_input_writes_nothing(org, fields, error_field):
    customer = CustomerFactory(owner=org.east_rep)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        interaction_create(
            actor=org.east_rep, customer=customer, **{"kind": "call", "content": "好", **fields}
        )
    assert error_field in caught.value.field_errors
    assert not Interaction.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert last_interaction_at(customer) is None


def test_empty_content_message(org):
    with pytest.raises(ValidationError) as caught:
        InteractionFactory(customer=CustomerFactory(owner=org.east_rep), content="   ")
    assert caught.value.field_errors["content"] == [str(CONTENT_REQUIRED)]


def test_contact_must_belong_to_the_customer(org):
    customer = CustomerFactory(owner=org.east_rep)
    own_contact = ContactFactory(customer=customer)
    other_contact = ContactFactory(customer=CustomerFactory(owner=org.east_rep))
    with pytest.raises(ValidationError) as caught:
        InteractionFactory(customer=customer, contact=other_contact.pk)
    assert caught.value.field_errors["contact"] == [str(CONTACT_OF_OTHER_CUSTOMER)]
    assert InteractionFactory(customer=customer, contact=own_contact).contact == own_contact


def test_update_diff_and_stale_version(org, origin):
    interaction = InteractionFactory(customer=CustomerFactory(owner=org.east_rep), content="初次")
    interaction_update(
        actor=org.east_rep, interaction=interaction, expected_version=1, content="再次"
    )
    entry = only_entry(interaction, "customers.interaction.updated")
    assert entry.changes == {"content": ["初次", "再次"]}
    with pytest.raises(ConflictError):
        interaction_update(
            actor=org.east_rep, interaction=interaction, expected_version=1, content="三次"
        )
    stored = Interaction.objects.get(pk=interaction.pk)
    assert (stored.content, stored.version) == ("再次", 2)
    assert len(audit_entries(interaction)) == 2


def test_service_agent_may_record_but_not_edit_follow_ups(org):
    customer = CustomerFactory(owner=org.east_rep)
    interaction = InteractionFactory(customer=customer, actor=org.service_agent, content="来电")
    assert interaction.author == org.service_agent
    with pytest.raises(NotFound):
        interaction_update(
            actor=org.service_agent, interaction=interaction, expected_version=None, content="x"
        )


def test_a_rep_cannot_record_on_another_reps_customer(org):
    with pytest.raises(NotFound):
        InteractionFactory(customer=CustomerFactory(owner=org.west_rep), actor=org.east_rep)


def test_follow_ups_of_a_deleted_customer_leave_the_lists(org):
    customer = CustomerFactory(owner=org.east_rep)
    InteractionFactory(customer=customer, next_follow_up_on=timezone.localdate())
    customer_delete(actor=org.east_rep, customer=customer)
    assert not interaction_list(actor=org.east_rep).exists()
    assert not follow_ups_due(actor=org.east_rep).exists()


def test_follow_ups_due_today_and_overdue_for_the_actor_only(org):
    today = timezone.localdate()
    mine = CustomerFactory(owner=org.east_rep)
    theirs = CustomerFactory(owner=org.west_rep)

    def follow_up(customer, day, **extra):
        return InteractionFactory(customer=customer, next_follow_up_on=day, **extra).pk

    due_today = follow_up(mine, today)
    overdue = follow_up(mine, today - dt.timedelta(days=3))
    follow_up(mine, today + dt.timedelta(days=1))  # not yet due
    follow_up(mine, None)  # no follow-up planned
    done = follow_up(mine, today)
    interaction_follow_up_done(actor=org.east_rep, interaction=Interaction.objects.get(pk=done))
    deleted = follow_up(mine, today)
    interaction_delete(actor=org.east_rep, interaction=Interaction.objects.get(pk=deleted))
    follow_up(theirs, today)  # another rep's
    follow_up(theirs, today - dt.timedelta(days=1))

    assert [i.pk for i in follow_ups_due(actor=org.east_rep)] == [overdue, due_today]
    assert follow_ups_due(actor=org.west_rep).count() == 2
    # The manager can see all of these, but none is theirs to follow up.
    assert not follow_ups_due(actor=org.manager).exists()
    assert [i.pk for i in follow_ups_due(actor=org.east_rep, day=today - dt.timedelta(days=1))] == [
        overdue
    ]
