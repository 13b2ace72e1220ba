"""Bulk actions run as a job that re-checks the requester's scope for every record."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.customers.services import customer_bulk_action_start
from guanxi.customers.tests.factories import CustomerFactory, TagFactory
from guanxi.platform.exceptions import ValidationError
from guanxi.platform.models import Job


@pytest.fixture
def run_bulk(django_capture_on_commit_callbacks):
    """Start a bulk job and run it (Huey is immediate in tests) once the request commits."""

    def run(actor, ids, action, **params) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = customer_bulk_action_start(
                actor=actor, customer_ids=ids, action=action, params=params
            )
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def selection(org):
    """Two of east_rep's customers and one of west_rep's, as a crafted selection would hold."""
    mine = [CustomerFactory(owner=org.east_rep) for _ in range(2)]
    theirs = CustomerFactory(owner=org.west_rep)
    return mine, theirs


def tag_ids(customer: Customer) -> set[int]:
    return set(Customer.objects.get(pk=customer.pk).tags.values_list("pk", flat=True))


def test_tag_reaches_only_the_reps_own_customers(org, run_bulk, selection):
    mine, theirs = selection
    tag = TagFactory()
    job = run_bulk(org.east_rep, [c.pk for c in [*mine, theirs]], "tag", tags=[tag.pk])
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["succeeded"] == 2 and job.result["failed"] == 1
    assert job.done == job.total == 3
    assert all(tag_ids(c) == {tag.pk} for c in mine)
    assert tag_ids(theirs) == set()
    assert Customer.objects.get(pk=theirs.pk).version == 1


def test_untag_keeps_other_tags(org, run_bulk):
    keep, drop = TagFactory(), TagFactory()
    customer = CustomerFactory(owner=org.east_rep, tags=[keep, drop])
    run_bulk(org.east_rep, [customer.pk], "untag", tags=[drop.pk])
    assert tag_ids(customer) == {keep.pk}


def test_delete_leaves_the_other_reps_customer_alone(org, run_bulk, selection):
    mine, theirs = selection
    job = run_bulk(org.east_rep, [c.pk for c in [*mine, theirs]], "delete")
    assert job.result["succeeded"] == 2 and job.result["failed"] == 1
    assert all(Customer.objects.get(pk=c.pk).deleted_at is not None for c in mine)
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None


def test_a_rep_cannot_assign_in_bulk(org, run_bulk, selection):
    mine, _theirs = selection
    job = run_bulk(org.east_rep, [c.pk for c in mine], "assign", owner=org.east_rep2.pk)
    assert job.result["succeeded"] == 0 and job.result["failed"] == 2
    assert all(Customer.objects.get(pk=c.pk).owner == org.east_rep for c in mine)


def test_a_manager_assigns_within_scope_only(org, run_bulk, selection):
    mine, theirs = selection
    outside = CustomerFactory(owner=org.admin)  # 总公司, not in the manager's subtree
    ids = [c.pk for c in [*mine, theirs, outside]]
    job = run_bulk(org.manager, ids, "assign", owner=org.east_rep2.pk)
    assert job.result["succeeded"] == 3 and job.result["failed"] == 1
    assert {Customer.objects.get(pk=c.pk).owner for c in [*mine, theirs]} == {org.east_rep2}
    assert Customer.objects.get(pk=outside.pk).owner == org.admin


def test_read_only_actor_changes_nothing(org, run_bulk, selection):
    mine, theirs = selection
    job = run_bulk(org.service_agent, [c.pk for c in [*mine, theirs]], "delete")
    assert job.result["succeeded"] == 0
    assert not Customer.objects.filter(deleted_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("ids", "action", "params", "error_field"),
    [
        ([], "delete", {}, "ids"),
        (["x"], "delete", {}, "ids"),
        ([1], "explode", {}, "action"),
        ([1], "tag", {}, "tags"),
        ([1], "assign", {}, "owner"),
        ([1], "tag", {"tags": "5"}, "tags"),
        ([1], "tag", {"tags": [["nested"]]}, "tags"),
        ([1], "assign", {"owner": "someone"}, "owner"),
    ],
)
def test_bad_requests_start_no_job(org, ids, action, params, error_field):
    with pytest.raises(ValidationError) as caught:
        customer_bulk_action_start(actor=org.admin, customer_ids=ids, action=action, params=params)
    assert error_field in caught.value.field_errors
    assert not Job.objects.exists()
