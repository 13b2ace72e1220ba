"""The duplicates page, dismiss, the merge screen and undo, through the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.duplicates import duplicates_find
from guanxi.customers.models import Contact, Customer, CustomerMerge, DuplicatePair
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(org) -> DuplicatePair:
    first = CustomerFactory(owner=org.east_rep, name="杭州云栖科技", phones=["13812345678"])
    second = CustomerFactory(
        owner=org.east_rep, name="杭州云栖科技有限公司", city="杭州", phones=["13812345678"]
    )
    ContactFactory(customer=first, name="甲")
    ContactFactory(customer=second, name="乙")
    duplicates_find(actor=org.admin)
    return DuplicatePair.objects.get()


def test_list_shows_pairs_with_masked_phones(client, org, pair) -> None:
    client.force_login(org.west_rep)  # cannot see east_rep's customers: empty
    assert "杭州云栖" not in client.get(reverse("customers:duplicate_list")).content.decode()
    client.force_login(org.east_rep)
    page = client.get(reverse("customers:duplicate_list")).content.decode()
    assert "杭州云栖科技有限公司" in page
    assert "duplicate-reasons" in page
    client.force_login(org.service_agent)  # sees every customer, phones masked
    page = client.get(reverse("customers:duplicate_list")).content.decode()
    assert "杭州云栖科技有限公司" in page
    assert "138****5678" in page
    assert "13812345678" not in page.replace(" ", "")


def test_dismiss(client, org, pair) -> None:
    client.force_login(org.east_rep)
    response = client.post(reverse("customers:duplicate_dismiss", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "dismissed"


def test_out_of_scope_pair_is_404(client, org, pair) -> None:
    client.force_login(org.west_rep)
    assert client.get(reverse("customers:customer_merge", args=[pair.pk])).status_code == 404
    assert client.post(reverse("customers:duplicate_dismiss", args=[pair.pk])).status_code == 404
    assert client.post(reverse("customers:customer_merge", args=[pair.pk])).status_code == 404
    pair.refresh_from_db()
    assert pair.status == "open"


def test_merge_screen_and_post(client, org, pair) -> None:
    client.force_login(org.east_rep)
    url = reverse("customers:customer_merge", args=[pair.pk])
    page = client.get(url)
    assert page.status_code == 200
    first, second = pair.customer_a, pair.customer_b
    response = client.post(
        url,
        {
            "survivor": "a",
            "field_name": "b",
            "field_city": "b",
            "version_a": first.version,
            "version_b": second.version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:customer_detail", args=[first.pk])
    first.refresh_from_db()
    assert (first.name, first.city) == ("杭州云栖科技有限公司", "杭州")
    assert Contact.objects.filter(customer=first).count() == 2
    assert Customer.objects.get(pk=second.pk).deleted_at is not None
    pair.refresh_from_db()
    assert pair.status == "merged"
    detail = client.get(reverse("customers:customer_detail", args=[first.pk])).content.decode()
    assert "甲" in detail and "乙" in detail


def test_stale_merge_shows_conflict(client, org, pair) -> None:
    client.force_login(org.east_rep)
    first, second = pair.customer_a, pair.customer_b
    response = client.post(
        reverse("customers:customer_merge", args=[pair.pk]),
        {"survivor": "a", "version_a": first.version - 1, "version_b": second.version},
    )
    assert response.status_code == 409
    assert Customer.objects.get(pk=second.pk).deleted_at is None


def test_undo_from_the_list(client, org, pair) -> None:
    client.force_login(org.east_rep)
    first, second = pair.customer_a, pair.customer_b
    client.post(
        reverse("customers:customer_merge", args=[pair.pk]),
        {"survivor": "b", "version_a": first.version, "version_b": second.version},
    )
    merge = CustomerMerge.objects.get()
    assert "merge-undo" in client.get(reverse("customers:duplicate_list")).content.decode()
    response = client.post(reverse("customers:customer_merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    assert Customer.objects.get(pk=first.pk).deleted_at is None
    assert Contact.objects.filter(customer=first).count() == 1


def test_undo_of_someone_elses_merge_is_404(client, org, pair) -> None:
    client.force_login(org.east_rep)
    first, second = pair.customer_a, pair.customer_b
    client.post(
        reverse("customers:customer_merge", args=[pair.pk]),
        {"survivor": "a", "version_a": first.version, "version_b": second.version},
    )
    merge = CustomerMerge.objects.get()
    client.force_login(org.west_rep)
    assert client.post(reverse("customers:customer_merge_undo", args=[merge.pk])).status_code == 404


def test_find_now_starts_a_job(client, org, django_capture_on_commit_callbacks) -> None:
    client.force_login(org.east_rep)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("customers:duplicate_find"))
    assert response.status_code == 302
    assert "/jobs/" in response["Location"]


def test_customer_list_links_to_duplicates(client, org) -> None:
    client.force_login(org.east_rep)
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert reverse("customers:duplicate_list") in page
