"""Task reads.

Who sees a task (docs/decisions.md): its assignee and its creator; whoever's data
scope covers the assignee (a manager sees the tasks of the people in their team
and sub-teams, "all" sees every task); and whoever can see the task's customer.
The first and third parts come from platform.scoping (the Task spec registered on
the assignee, and the Customer scope condition joined through `task.customer`);
the creator is added here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone

from guanxi.activities.models import Task, TaskStatus
from guanxi.customers.models import Customer
from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import (
    is_own_scope,
    permission_code,
    scope_condition,
    scope_spec,
)

TASK_SORTS: dict[str, list[str]] = {
    "due": ["due_on", "id"],
    "-due": ["-due_on", "-id"],
    "-id": ["-id"],
    "id": ["id"],
}
DUE_CHOICES = ("overdue", "today", "week")
CUSTOMER_TASK_LIMIT = 10


@dataclass
class TaskFilter:
    q: str = ""
    status: str = ""
    due: str = ""  # overdue / today / week
    priority: str = ""
    assignee: int | None = None
    customer: int | None = None
    lead: int | None = None
    opportunity: int | None = None
    contract: int | None = None
    meeting: int | None = None
    is_mine: bool = False  # assigned to the actor


def _visible(actor: Any, *, action: str, include_deleted: bool) -> QuerySet[Task]:
    qs = Task.objects.all()
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if not has_permission(actor, permission_code(Task, action)):
        return qs.none()
    if not include_deleted:
        for path in scope_spec(Task).deleted_paths:
            qs = qs.filter(**{f"{path}__isnull": True})
    condition = scope_condition(Task, actor)
    if condition is None:
        return qs
    condition |= Q(created_by_id=actor.pk)
    if has_permission(actor, permission_code(Customer, "view")):
        # The customer's own scope, joined through task.customer (not an IN-subquery).
        on_customer = scope_condition(Customer, actor)
        condition |= (
            Q(customer__isnull=False) if on_customer is None else _reroot(on_customer, "customer__")
        )
    return qs.filter(condition)


def _reroot(condition: Q, prefix: str) -> Q:
    children = [
        _reroot(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def week_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    start = today - dt.timedelta(days=today.weekday())
    return start, start + dt.timedelta(days=6)


def task_list(
    *,
    actor: Any,
    filters: TaskFilter | None = None,
    action: str = "view",
    include_deleted: bool = False,
) -> QuerySet[Task]:
    filters = filters or TaskFilter()
    qs = _visible(actor, action=action, include_deleted=include_deleted)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.assignee:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.is_mine:
        qs = qs.filter(assignee_id=actor.pk)
    if filters.customer:
        qs = qs.filter(customer_id=filters.customer)
    for name in ("lead", "opportunity", "contract", "meeting"):
        if getattr(filters, name):
            qs = qs.filter(**{f"{name}_id": getattr(filters, name)})
    if filters.due:
        today = timezone.localdate()
        if filters.due == "overdue":
            qs = qs.filter(status=TaskStatus.OPEN, due_on__lt=today)
        elif filters.due == "today":
            qs = qs.filter(due_on=today)
        elif filters.due == "week":
            start, end = week_bounds(today)
            qs = qs.filter(due_on__range=(start, end))
    return qs.select_related("assignee", "customer", "created_by")


def task_get(*, actor: Any, task_id: Any, action: str = "view") -> Task:
    """One live task the actor may see (or change/delete); anything else 404s."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError) as error:
        raise NotFound("task") from error
    task = (
        task_list(actor=actor, action=action)
        .select_related("meeting", "lead", "opportunity", "contract")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**63
        else None
    )
    if task is None:
        raise NotFound("task")
    return task


def task_is_restorable(task: Task, *, actor: Any) -> bool:
    """In the actor's delete scope, and its customer (if any) is not in the recycle bin."""
    return (
        task_list(actor=actor, action="delete", include_deleted=True)
        .filter(pk=task.pk, customer__deleted_at__isnull=True)
        .exists()
    )


UPCOMING_DAYS = 14


@dataclass
class MyDay:
    due: list[Task]  # overdue and today
    upcoming: list[Task]  # due in the next UPCOMING_DAYS days


def my_day(*, actor: Any, day: dt.date | None = None) -> MyDay:
    """The actor's open tasks for the home page: overdue and today, then the next two weeks."""
    day = day or timezone.localdate()
    mine = task_list(actor=actor).filter(assignee_id=actor.pk, status=TaskStatus.OPEN)
    return MyDay(
        due=list(mine.filter(due_on__lte=day).order_by("due_on", "due_time", "id")[:50]),
        upcoming=list(
            mine.filter(
                due_on__gt=day, due_on__lte=day + dt.timedelta(days=UPCOMING_DAYS)
            ).order_by("due_on", "due_time", "id")[:20]
        ),
    )


def related_tasks(*, actor: Any, kind: str, record_id: int) -> list[Task]:
    """The open, then closed, tasks about a lead, opportunity or contract (one query)."""
    if kind not in ("lead", "opportunity", "contract"):
        raise ValueError(kind)
    is_closed = Case(When(status=TaskStatus.OPEN, then=Value(0)), default=Value(1))
    return list(
        task_list(actor=actor, filters=TaskFilter(**{kind: record_id}))
        .annotate(is_closed=is_closed)
        .order_by("is_closed", "due_on", "id")[:CUSTOMER_TASK_LIMIT]
    )


def customer_tasks(*, actor: Any, customer_id: int) -> list[Task]:
    """The customer's open tasks (soonest first), then its closed ones: one query."""
    is_closed = Case(When(status=TaskStatus.OPEN, then=Value(0)), default=Value(1))
    return list(
        task_list(actor=actor, filters=TaskFilter(customer=customer_id))
        .annotate(is_closed=is_closed)
        .order_by("is_closed", "due_on", "id")[:CUSTOMER_TASK_LIMIT]
    )


def assignee_choices(*, actor: Any) -> list[Any]:
    """Active users a task can be given to (one organisation: everybody active)."""
    return list(
        get_user_model().objects.filter(is_active=True).order_by("display_name", "username")[:500]
    )


def can_filter_by_assignee(actor: Any) -> bool:
    """Managers (team, sub-team or all scope) filter by assignee; reps see their own."""
    return not is_own_scope(actor)
