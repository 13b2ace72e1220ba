"""Tasks over the REST API: thin like the views (selectors in, services out)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.activities import selectors, services
from guanxi.activities.models import Task
from guanxi.activities.schemas import (
    TaskDoneIn,
    TaskFilter,
    TaskIn,
    TaskOut,
    TaskPageOut,
    TaskPatchIn,
)
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import (
    Id,
    IfMatch,
    changes_of,
    expected_version,
    keyset_page_out,
    set_etag,
)

router = Router(tags=["tasks"])


def _task_out(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "version": task.version,
        "title": task.title,
        "notes": task.notes,
        "assignee": task.assignee_id,
        "assignee_name": str(task.assignee),
        "due_on": task.due_on,
        "due_time": task.due_time,
        "priority": task.priority,
        "status": task.status,
        "done_at": task.done_at,
        "customer": task.customer_id,
        "customer_name": task.customer.name if task.customer_id else None,
        "created_by": task.created_by_id,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


def _answer(response: HttpResponse, task: Task) -> dict[str, Any]:
    set_etag(response, task.version)
    return _task_out(task)


def _fresh(request: HttpRequest, task: Task) -> Task:
    """Re-read through the selector (related names for the answer)."""
    return selectors.task_get(actor=request.user, task_id=task.pk)


@router.get("/tasks", response={200: TaskPageOut, **READ_ERRORS})
def task_list(request: HttpRequest, filters: Query[TaskFilter]) -> dict[str, Any]:
    """Tasks the caller may see; `due` is overdue (open, before today), today or week."""
    qs = selectors.task_list(
        actor=request.user,
        filters=selectors.TaskFilter(
            q=filters.q,
            status=filters.status,
            due=filters.due,
            priority=filters.priority,
            assignee=filters.assignee,
            customer=filters.customer,
        ),
    )
    return keyset_page_out(
        qs,
        ordering=selectors.TASK_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_task_out,
    )


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS})
def task_get(request: HttpRequest, task_id: Id, response: HttpResponse) -> Any:
    """One task; the ETag header carries its version for If-Match."""
    return _answer(response, selectors.task_get(actor=request.user, task_id=task_id))


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS})
def task_create(request: HttpRequest, payload: TaskIn, response: HttpResponse) -> Status:
    """Create a task (assignee defaults to the caller); give `due_on` or `due_in_working_days`."""
    task = services.task_create(actor=request.user, **changes_of(payload))
    return Status(201, _answer(response, _fresh(request, task)))


@router.patch("/tasks/{task_id}", response={200: TaskOut, **WRITE_ERRORS})
def task_update(
    request: HttpRequest,
    task_id: Id,
    payload: TaskPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent. Send `If-Match` with the ETag from GET: stale -> 409."""
    task = selectors.task_get(actor=request.user, task_id=task_id, action="change")
    updated = services.task_update(
        actor=request.user,
        task=task,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _answer(response, _fresh(request, updated))


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **WRITE_ERRORS})
def task_done(
    request: HttpRequest, task_id: Id, payload: TaskDoneIn, response: HttpResponse
) -> Any:
    """Tick the task done (`{"done": false}` opens it again); repeating it changes nothing."""
    task = selectors.task_get(actor=request.user, task_id=task_id, action="change")
    updated = services.task_done(actor=request.user, task=task, is_done=payload.done)
    return _answer(response, _fresh(request, updated))


@router.delete("/tasks/{task_id}", response={204: None, **WRITE_ERRORS})
def task_delete(request: HttpRequest, task_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    task = selectors.task_get(actor=request.user, task_id=task_id, action="delete")
    services.task_delete(actor=request.user, task=task)
    return Status(204, None)


@router.post("/tasks/{task_id}/restore", response={200: TaskOut, **WRITE_ERRORS})
def task_restore(request: HttpRequest, task_id: Id, response: HttpResponse) -> Any:
    """Bring a task back from the recycle bin (a live one is answered as it is)."""
    deleted = (
        selectors.task_list(actor=request.user, action="delete", include_deleted=True)
        .filter(pk=task_id, deleted_at__isnull=False)
        .first()
    )
    if deleted is not None:
        services.task_restore(actor=request.user, instance=deleted)
    return _answer(response, selectors.task_get(actor=request.user, task_id=task_id))
