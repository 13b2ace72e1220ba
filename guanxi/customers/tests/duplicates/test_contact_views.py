"""The contacts tab, contact dismiss, the contact merge screen and undo (test client)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.duplicates import duplicates_find
from guanxi.customers.models import Contact, ContactDuplicatePair, ContactMerge, Interaction
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db

CONTACTS_TAB = reverse("customers:duplicate_list") + "?tab=contacts"


@pytest.fixture
def pair(org) -> ContactDuplicatePair:
    customer = CustomerFactory(owner=org.east_rep, name="杭州云栖科技")
    first = ContactFactory(customer=customer, name="陈建国", phones=["13812345678"])
    second = ContactFactory(customer=customer, name="陳建國", title="总经理")
    InteractionFactory(customer=customer, contact=second)
    duplicates_find(actor=org.admin)
    return ContactDuplicatePair.objects.get(contact_a=first, contact_b=second)


def test_contacts_tab_lists_pairs_in_scope(client, org, pair) -> None:
    client.force_login(org.west_rep)
    assert "陳建國" not in client.get(CONTACTS_TAB).content.decode()
    client.force_login(org.east_rep)
    page = client.get(CONTACTS_TAB).content.decode()
    assert "陳建國" in page and "contact-duplicate-row" in page
    assert "杭州云栖科技" in page
    customers_tab = client.get(reverse("customers:duplicate_list")).content.decode()
    assert "contact-duplicate-row" not in customers_tab


def test_contact_pair_of_another_reps_customer_is_404(client, org, pair) -> None:
    client.force_login(org.west_rep)
    merge_url = reverse("customers:contact_merge", args=[pair.pk])
    assert client.get(merge_url).status_code == 404
    assert client.post(merge_url, {"survivor": "a"}).status_code == 404
    dismiss_url = reverse("customers:contact_duplicate_dismiss", args=[pair.pk])
    assert client.post(dismiss_url).status_code == 404
    pair.refresh_from_db()
    assert pair.status == "open"
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 2


def test_dismiss(client, org, pair) -> None:
    client.force_login(org.east_rep)
    response = client.post(reverse("customers:contact_duplicate_dismiss", args=[pair.pk]))
    assert response.status_code == 302 and response["Location"] == CONTACTS_TAB
    pair.refresh_from_db()
    assert pair.status == "dismissed"


def test_merge_screen_post_and_undo(client, org, pair) -> None:
    client.force_login(org.east_rep)
    url = reverse("customers:contact_merge", args=[pair.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="follow-ups-b">1<' in page.content.decode()
    first, second = pair.contact_a, pair.contact_b
    response = client.post(
        url,
        {
            "survivor": "a",
            "field_title": "b",
            "version_a": first.version,
            "version_b": second.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_detail", args=[first.customer_id])
    first.refresh_from_db()
    assert (first.name, first.title) == ("陈建国", "总经理")
    assert Interaction.objects.filter(contact=first).count() == 1
    assert Contact.objects.get(pk=second.pk).deleted_at is not None

    merge = ContactMerge.objects.get()
    assert "merge-undo" in client.get(CONTACTS_TAB).content.decode()
    response = client.post(reverse("customers:contact_merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    assert Contact.objects.get(pk=second.pk).deleted_at is None
    assert Interaction.objects.filter(contact=second).count() == 1
    client.force_login(org.west_rep)
    assert client.post(reverse("customers:contact_merge_undo", args=[merge.pk])).status_code == 404


def test_stale_merge_shows_conflict(client, org, pair) -> None:
    client.force_login(org.east_rep)
    first, second = pair.contact_a, pair.contact_b
    response = client.post(
        reverse("customers:contact_merge", args=[pair.pk]),
        {"survivor": "a", "version_a": first.version - 1, "version_b": second.version},
    )
    assert response.status_code == 409
    assert 'data-testid="merge-error"' in response.content.decode()
    assert Contact.objects.get(pk=second.pk).deleted_at is None


def test_contacts_at_two_customers_show_no_merge_button(client, org) -> None:
    first = ContactFactory(
        customer=CustomerFactory(owner=org.east_rep, name="甲公司"),
        name="张三",
        phones=["13812345678"],
    )
    ContactFactory(
        customer=CustomerFactory(owner=org.east_rep, name="乙公司"),
        name="李四",
        phones=["13812345678"],
    )
    duplicates_find(actor=org.east_rep)
    pair = ContactDuplicatePair.objects.get(contact_a=first)
    client.force_login(org.east_rep)
    assert "different-customers" in client.get(CONTACTS_TAB).content.decode()
    url = reverse("customers:contact_merge", args=[pair.pk])
    page = client.get(url).content.decode()
    assert "different-customers" in page and "contact-merge-submit" not in page
    response = client.post(url, {"survivor": "a"})
    assert response.status_code == 409
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 2


def test_bad_pair_ids_are_404(client, org) -> None:
    client.force_login(org.east_rep)
    assert client.get("/customers/duplicates/contacts/999999/merge/").status_code == 404
    assert client.post("/customers/contact-merges/999999/undo/").status_code == 404


def test_pages_have_previous_and_next_without_a_count(client, org) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="甲公司")
    for n in range(11):  # 11 contacts sharing one phone: 10 pairs each at most
        ContactFactory(customer=customer, name=f"联系人{n}", phones=["13812345678"])
    duplicates_find(actor=org.east_rep)
    assert ContactDuplicatePair.objects.count() == 55
    client.force_login(org.east_rep)
    first = client.get(CONTACTS_TAB).content.decode()
    assert first.count('data-testid="contact-duplicate-row"') == 50
    assert "page=2" in first and "page=0" not in first
    second = client.get(CONTACTS_TAB + "&page=2").content.decode()
    assert second.count('data-testid="contact-duplicate-row"') == 5
    assert "page=1" in second and "page=3" not in second
    assert client.get(CONTACTS_TAB + "&page=abc").status_code == 200
