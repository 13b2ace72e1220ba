"""Bulk actions from the customer list: queued as a job, scoped when they run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.customers.services import customer_create, tag_create
from guanxi.platform.models import Job

pytestmark = pytest.mark.django_db

BULK_URL = reverse("customers:customer_bulk_action")
LIST_URL = reverse("customers:customer_list")


def test_bulk_tag_three_customers_runs_a_job_that_tags_them(
    client, org, django_capture_on_commit_callbacks
):
    vip = tag_create(actor=org.admin, name="VIP")
    chosen = [customer_create(actor=org.east_rep, name=f"客户{i}") for i in range(3)]
    untouched = customer_create(actor=org.east_rep, name="不选")
    client.force_login(org.east_rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            BULK_URL,
            {"ids": [c.pk for c in chosen], "action": "tag", "tags": [vip.pk], "next": LIST_URL},
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("platform:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["succeeded"] == 3
    for customer in chosen:
        assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]
    assert not untouched.tags.exists()
    # the job page shows the progress at 100 %
    page = client.get(response["Location"]).content.decode()
    assert "100%" in page


def test_bulk_untag_and_assign(client, org, django_capture_on_commit_callbacks):
    vip = tag_create(actor=org.admin, name="VIP")
    customer = customer_create(actor=org.east_rep, name="经理的客户", tags=[vip.pk])
    client.force_login(org.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BULK_URL, {"ids": [customer.pk], "action": "untag", "tags": [vip.pk]})
    assert not customer.tags.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BULK_URL, {"ids": [customer.pk], "action": "assign", "owner": org.west_rep.pk})
    customer.refresh_from_db()
    assert customer.owner_id == org.west_rep.pk


def test_rep_cannot_bulk_delete_another_reps_customer(
    client, org, django_capture_on_commit_callbacks
):
    mine = customer_create(actor=org.east_rep, name="我的")
    theirs = customer_create(actor=org.west_rep, name="别人的")
    client.force_login(org.east_rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK_URL, {"ids": [mine.pk, theirs.pk], "action": "delete"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.result == {"succeeded": 1, "failed": 1, "errors": []}
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None
    assert Customer.objects.get(pk=mine.pk).deleted_at is not None


def test_rep_without_transfer_permission_cannot_choose_assign(client, org):
    customer = customer_create(actor=org.east_rep, name="我的")
    client.force_login(org.east_rep)
    page = client.get(LIST_URL).content.decode()
    assert 'value="assign"' not in page
    response = client.post(
        BULK_URL, {"ids": [customer.pk], "action": "assign", "owner": org.west_rep.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    assert not Job.objects.exists()
    customer.refresh_from_db()
    assert customer.owner_id == org.east_rep.pk


@pytest.mark.parametrize(
    "data",
    [
        {"action": "tag"},  # nothing selected, no tags
        {"ids": ["1"], "action": "tag"},  # no tags chosen
        {"ids": ["abc"], "action": "delete"},
        {"ids": ["1"], "action": "explode"},
        {"ids": ["1"]},
        {"ids": ["1"], "action": "tag", "tags": ["999999"]},
    ],
)
def test_bad_bulk_requests_redirect_back_with_a_message(client, org, data):
    client.force_login(org.east_rep)
    next_url = f"{LIST_URL}?grade=A"
    response = client.post(BULK_URL, {**data, "next": next_url}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == next_url
    assert "alert-danger" in response.content.decode()
    assert not Job.objects.exists()


def test_bulk_next_url_to_another_site_is_ignored(client, org):
    client.force_login(org.east_rep)
    response = client.post(BULK_URL, {"action": "tag", "next": "https://evil.example/"})
    assert response["Location"] == LIST_URL


def test_bulk_action_needs_post(client, org):
    client.force_login(org.east_rep)
    assert client.get(BULK_URL).status_code == 405
