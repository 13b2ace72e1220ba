"""Who sees which tasks: assignee, creator, the assignee's managers, the customer's viewers."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.activities import selectors, services
from guanxi.activities.tests.factories import make_task
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.exceptions import NotFound
from guanxi.platform.selectors import recycle_bin_list

pytestmark = pytest.mark.django_db

EVERYTHING = {"east1", "east2", "west", "hq", "west_for_east1", "on_east2_customer", "service"}
EXPECTED = {
    "admin": EVERYTHING,
    "service_agent": EVERYTHING,
    "manager": {"east1", "east2", "west", "west_for_east1", "on_east2_customer"},
    "east_rep": {"east1", "west_for_east1"},
    "east_rep2": {"east2", "on_east2_customer"},
    "west_rep": {"west", "west_for_east1"},
}


@pytest.fixture
def tasks(org: Any) -> dict[str, Any]:
    east2_customer = CustomerFactory(owner=org.east_rep2)
    return {
        "east1": make_task(actor=org.east_rep),
        "east2": make_task(actor=org.east_rep2),
        "west": make_task(actor=org.west_rep),
        "hq": make_task(actor=org.admin),
        "west_for_east1": make_task(actor=org.west_rep, assignee=org.east_rep.pk),
        "on_east2_customer": make_task(actor=org.admin, customer=east2_customer.pk),
        "service": make_task(actor=org.service_agent),
    }


@pytest.mark.parametrize("role", list(EXPECTED))
def test_view_and_change_matrix(org: Any, tasks: dict[str, Any], role: str) -> None:
    actor = getattr(org, role)
    names = {task.pk: key for key, task in tasks.items()}
    visible = {names[t.pk] for t in selectors.task_list(actor=actor)}
    assert visible == EXPECTED[role]
    changeable = {names[t.pk] for t in selectors.task_list(actor=actor, action="change")}
    assert changeable == EXPECTED[role]
    for key, task in tasks.items():
        if key not in EXPECTED[role]:
            with pytest.raises(NotFound):
                selectors.task_get(actor=actor, task_id=task.pk)
            with pytest.raises(NotFound):
                selectors.task_get(actor=actor, task_id=task.pk, action="change")
        else:
            assert selectors.task_get(actor=actor, task_id=task.pk).pk == task.pk


def test_my_day_shows_only_my_open_tasks_due_today_or_earlier(org: Any) -> None:
    from guanxi.activities.tests.factories import days_from_today

    overdue = make_task(actor=org.east_rep, due_on=days_from_today(-2))
    today = make_task(actor=org.east_rep)
    tomorrow = make_task(actor=org.east_rep, due_on=days_from_today(1))
    make_task(actor=org.east_rep, due_on=days_from_today(20))
    done = make_task(actor=org.east_rep)
    services.task_done(actor=org.east_rep, task=done)
    make_task(actor=org.east_rep, assignee=org.east_rep2.pk)
    day = selectors.my_day(actor=org.east_rep)
    assert [t.pk for t in day.due] == [overdue.pk, today.pk]
    assert [t.pk for t in day.upcoming] == [tomorrow.pk]


def test_recycle_bin_is_scoped(org: Any, tasks: dict[str, Any]) -> None:
    services.task_delete(actor=org.east_rep, task=tasks["east1"])
    rows = {
        row.pk
        for _entry, rows in recycle_bin_list(actor=org.east_rep, type_key="activities.task")
        for row in rows
    }
    assert rows == {tasks["east1"].pk}
    rows_west = [
        row
        for _entry, rows in recycle_bin_list(actor=org.west_rep, type_key="activities.task")
        for row in rows
    ]
    assert rows_west == []


def test_manager_can_filter_by_assignee_and_reps_cannot(org: Any) -> None:
    assert selectors.can_filter_by_assignee(org.manager)
    assert selectors.can_filter_by_assignee(org.admin)
    assert not selectors.can_filter_by_assignee(org.east_rep)


def test_timeline_shows_tasks_only_to_who_sees_the_customer(org: Any) -> None:
    from guanxi.customers.timeline import timeline_for_customer

    customer = CustomerFactory(owner=org.east_rep)
    make_task(actor=org.east_rep, customer=customer.pk, title="时间线任务")

    def kinds(actor: Any) -> list[str]:
        return [e.kind for e in timeline_for_customer(customer=customer, actor=actor)]

    assert "task.open" in kinds(org.east_rep)
    assert "task.open" in kinds(org.manager)
    assert kinds(org.west_rep) == []
