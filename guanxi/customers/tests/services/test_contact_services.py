"""contact_create / update / delete / restore: one primary per customer, audit, bad input."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Contact
from guanxi.customers.selectors import contact_get, contact_list
from guanxi.customers.services import (
    contact_create,
    contact_delete,
    contact_restore,
    contact_update,
    customer_delete,
    customer_restore,
)
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.customers.tests.services.conftest import ORIGIN_IP, audit_entries, only_entry
from guanxi.platform.exceptions import ConflictError, NotFound, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.platform.selectors import recycle_bin_list


def primary_names(customer) -> list[str]:
    return list(
        Contact.objects.filter(customer=customer, deleted_at__isnull=True, is_primary=True)
        .order_by("id")
        .values_list("name", flat=True)
    )


def test_create_normalises_and_audits(org, origin):
    customer = CustomerFactory(owner=org.east_rep)
    contact = contact_create(
        actor=org.east_rep,
        customer=customer,
        name="欧阳娜娜",
        phones=["+86-139-0000-1111"],
        emails="nana@Example.COM",
        notes="<b>重要</b><script>x()</script>",
    )
    assert contact.phones == ["+8613900001111"]
    assert contact.emails == ["nana@example.com"]
    assert contact.notes == "<b>重要</b>"
    assert {"欧阳", "oynn", "ouyangnana", "1111"} <= set(contact.search_text.split())
    entry = only_entry(contact, "customers.contact.created")
    assert entry.ip_address == ORIGIN_IP and entry.actor == org.east_rep
    assert entry.changes["customer"] == customer.pk
    assert entry.changes["after"]["name"] == "欧阳娜娜"


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"phones": ["110"]}, "phones"),
        ({"emails": ["nana"]}, "emails"),
        ({"name": ""}, "name"),
        ({"title": "x" * 500}, "title"),
        (
            {"birthday_calendar": "lunar", "lunar_birthday_month": 13, "lunar_birthday_day": 1},
            "lunar_birthday_month",
        ),
        ({"is_primary": "maybe"}, "is_primary"),
        ({"deleted_at": "2020-01-01"}, "deleted_at"),
    ],
)
def test_bad_input_writes_nothing(org, fields, error_field):
    customer = CustomerFactory(owner=org.east_rep)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        contact_create(actor=org.east_rep, customer=customer, **{"name": "娜娜", **fields})
    assert error_field in caught.value.field_errors
    assert not Contact.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_first_contact_is_primary_and_only_one_primary_is_kept(org):
    customer = CustomerFactory(owner=org.east_rep)
    first = ContactFactory(customer=customer, name="甲")
    second = ContactFactory(customer=customer, name="乙")
    assert primary_names(customer) == ["甲"]
    contact_update(actor=org.east_rep, contact=second, expected_version=1, is_primary=True)
    assert primary_names(customer) == ["乙"]
    ContactFactory(customer=customer, name="丙", is_primary=True)
    assert primary_names(customer) == ["丙"]
    assert Contact.objects.get(pk=first.pk).is_primary is False


def test_deleting_the_primary_contact_promotes_another(org):
    customer = CustomerFactory(owner=org.east_rep)
    first = ContactFactory(customer=customer, name="甲")
    ContactFactory(customer=customer, name="乙")
    contact_delete(actor=org.east_rep, contact=first)
    assert primary_names(customer) == ["乙"]
    contact_restore(actor=org.east_rep, instance=Contact.objects.get(pk=first.pk))
    assert primary_names(customer) == ["乙"]


def test_update_diff_and_stale_version(org, origin):
    contact = ContactFactory(customer=CustomerFactory(owner=org.east_rep), title="经理")
    contact_update(actor=org.east_rep, contact=contact, expected_version=1, title="总监")
    entry = only_entry(contact, "customers.contact.updated")
    assert entry.changes == {"title": ["经理", "总监"]}
    assert entry.ip_address == ORIGIN_IP
    with pytest.raises(ConflictError):
        contact_update(actor=org.east_rep, contact=contact, expected_version=1, title="董事")
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.title, stored.version) == ("总监", 2)
    assert len(audit_entries(contact)) == 2


def test_delete_goes_to_the_recycle_bin_and_restore_brings_it_back(org):
    contact = ContactFactory(customer=CustomerFactory(owner=org.east_rep))
    contact_delete(actor=org.east_rep, contact=contact)
    assert not contact_list(actor=org.east_rep).filter(pk=contact.pk).exists()
    with pytest.raises(NotFound):
        contact_get(actor=org.east_rep, contact_id=contact.pk)
    ((_entry, binned),) = recycle_bin_list(actor=org.east_rep, type_key="customers.contact")
    assert [c.pk for c in binned] == [contact.pk]
    only_entry(contact, "customers.contact.deleted")
    contact_restore(actor=org.east_rep, instance=contact)
    assert contact_get(actor=org.east_rep, contact_id=contact.pk).pk == contact.pk
    only_entry(contact, "customers.contact.restored")


def test_contacts_follow_their_customer_into_the_bin_and_back(org):
    customer = CustomerFactory(owner=org.east_rep)
    contacts = [ContactFactory(customer=customer) for _ in range(2)]
    customer_delete(actor=org.east_rep, customer=customer)
    assert not contact_list(actor=org.east_rep).exists()
    # A contact of a customer in the bin cannot be restored, edited or deleted alone.
    with pytest.raises(NotFound):
        contact_update(actor=org.east_rep, contact=contacts[0], expected_version=None, title="x")
    customer_restore(actor=org.east_rep, instance=customer)
    assert {c.pk for c in contact_list(actor=org.east_rep)} == {c.pk for c in contacts}


def test_a_contact_cannot_be_added_to_a_customer_out_of_scope(org):
    west_customer = CustomerFactory(owner=org.west_rep)
    with pytest.raises(NotFound):
        contact_create(actor=org.east_rep, customer=west_customer, name="偷偷加")
    with pytest.raises(NotFound):
        contact_create(actor=org.service_agent, customer=west_customer, name="客服加")
    assert not Contact.objects.exists()
