"""Task services: validation (nothing written), audit, versions, done, recycle bin, merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from guanxi.activities import selectors, services
from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.tests.factories import days_from_today, make_task
from guanxi.customers import services as customer_services
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import ConflictError, NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry

pytestmark = pytest.mark.django_db


def _audit_count() -> int:
    return AuditEntry.objects.filter(action__startswith="activities.").count()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": ""}, "title"),
        ({"assignee": 999999}, "assignee"),
        ({"assignee": "abc"}, "assignee"),
        ({"due_on": dt.date(1, 1, 1)}, "due_on"),
        ({"due_on": "0001-01-01"}, "due_on"),
        ({"due_on": "2026-02-30"}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"priority": "whenever"}, "priority"),
        ({"due_time": "25:99"}, "due_time"),
        ({"customer": 999999}, "customer"),
        ({"due_in_working_days": -3}, "due_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_garbage_gives_field_errors_and_writes_nothing(
    org: Any, fields: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {"title": "打电话", "due_on": days_from_today(1), **fields}
    with pytest.raises(ValidationError) as caught:
        services.task_create(actor=org.east_rep, **values)
    assert field in caught.value.field_errors
    assert Task.objects.count() == 0
    assert _audit_count() == 0


def test_inactive_assignee_and_out_of_scope_customer_are_refused(org: Any) -> None:
    org.east_rep2.is_active = False
    org.east_rep2.save(update_fields=["is_active"])
    other = CustomerFactory(owner=org.west_rep)
    with pytest.raises(ValidationError) as caught:
        services.task_create(
            actor=org.east_rep,
            title="x",
            due_on=days_from_today(1),
            assignee=org.east_rep2.pk,
            customer=other.pk,
        )
    assert set(caught.value.field_errors) == {"assignee", "customer"}
    assert Task.objects.count() == 0


def test_create_defaults_and_audit(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    task = services.task_create(
        actor=org.east_rep,
        title=" 报价跟进 ",
        due_in_working_days=3,
        customer=customer.pk,
        due_time="14:30",
        priority="high",
    )
    assert task.title == "报价跟进"
    assert task.assignee == org.east_rep
    assert task.created_by == org.east_rep
    assert task.status == TaskStatus.OPEN
    assert task.due_on == services.working_days_after(timezone.localdate(), 3)
    assert task.due_time == dt.time(14, 30)
    entry = AuditEntry.objects.get(action="activities.task.created")
    assert entry.changes["after"]["title"] == "报价跟进"


def test_update_with_stale_version_is_a_conflict(org: Any) -> None:
    task = make_task(actor=org.east_rep)
    services.task_update(actor=org.east_rep, task=task, expected_version=1, title="新标题")
    with pytest.raises(ConflictError) as caught:
        services.task_update(actor=org.east_rep, task=task, expected_version=1, title="旧")
    assert caught.value.current_version == 2
    task.refresh_from_db()
    assert task.title == "新标题"
    assert AuditEntry.objects.filter(action="activities.task.updated").count() == 1


def test_status_done_sets_done_at_and_reopen_clears_it(org: Any) -> None:
    task = make_task(actor=org.east_rep)
    done = services.task_done(actor=org.east_rep, task=task)
    assert done.status == TaskStatus.DONE and done.done_at is not None
    assert services.task_done(actor=org.east_rep, task=done).version == done.version  # no-op
    reopened = services.task_done(actor=org.east_rep, task=done, is_done=False)
    assert reopened.status == TaskStatus.OPEN and reopened.done_at is None
    cancelled = services.task_update(
        actor=org.east_rep, task=reopened, expected_version=None, status="cancelled"
    )
    assert cancelled.done_at is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="activities.task.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("activities.task.done") == 1
    assert "activities.task.reopened" in actions


def test_delete_restore_and_deleted_task_cannot_be_changed(org: Any) -> None:
    task = make_task(actor=org.east_rep)
    services.task_delete(actor=org.east_rep, task=task)
    with pytest.raises(NotFound):
        selectors.task_get(actor=org.east_rep, task_id=task.pk)
    with pytest.raises(NotFound):
        services.task_update(actor=org.east_rep, task=task, expected_version=None, title="x")
    services.task_restore(actor=org.east_rep, instance=task)
    assert selectors.task_get(actor=org.east_rep, task_id=task.pk).title == task.title
    with pytest.raises(NotFound):
        services.task_restore(actor=org.west_rep, instance=task)


def test_without_permission_nothing_is_written(org: Any) -> None:
    org.east_rep.role.permissions = ["customers.view_customer"]
    org.east_rep.role.save(update_fields=["permissions"])
    with pytest.raises(PermissionDenied):
        services.task_create(actor=org.east_rep, title="x", due_on=days_from_today(1))
    assert Task.objects.count() == 0


def test_customer_merge_moves_tasks_and_deleted_customer_hides_them(org: Any) -> None:
    customer = CustomerFactory(owner=org.east_rep)
    survivor = CustomerFactory(owner=org.east_rep)
    task = make_task(actor=org.east_rep, customer=customer.pk)
    customer_services.customer_merge(
        actor=org.admin, survivor=survivor, other=customer, field_choices={}
    )
    task.refresh_from_db()
    assert task.customer_id == survivor.pk
    customer_services.customer_delete(actor=org.east_rep, customer=survivor)
    assert not selectors.task_list(actor=org.east_rep).filter(pk=task.pk).exists()
