"""Tasks and meetings over the REST API: thin like the views (selectors in, services out)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from guanxi.activities import selectors, services
from guanxi.activities.models import Meeting, Task
from guanxi.activities.schemas import (
    FollowUpTasksIn,
    MeetingFilterIn,
    MeetingIn,
    MeetingMinutesIn,
    MeetingOut,
    MeetingPageOut,
    MeetingPatchIn,
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

router = Router(tags=["tasks and meetings"])


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
        "lead": task.lead_id,
        "opportunity": task.opportunity_id,
        "contract": task.contract_id,
        "meeting": task.meeting_id,
        "remind_minutes_before": task.remind_minutes_before,
        "remind_at": task.remind_at,
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
            lead=filters.lead,
            opportunity=filters.opportunity,
            contract=filters.contract,
            meeting=filters.meeting,
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


# --- meetings ------------------------------------------------------------------------


def _meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "version": meeting.version,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "is_all_day": meeting.is_all_day,
        "location": meeting.location,
        "online_url": meeting.online_url,
        "customer": meeting.customer_id,
        "customer_name": meeting.customer.name if meeting.customer_id else None,
        "organiser": meeting.organiser_id,
        "organiser_name": str(meeting.organiser),
        "attendees": [{"id": user.pk, "name": str(user)} for user in meeting.attendees.all()],
        "contacts": [{"id": c.pk, "name": c.name} for c in meeting.contacts.all()],
        "agenda": list(meeting.agenda or []),
        "minutes": meeting.minutes,
        "minutes_recorded_at": meeting.minutes_recorded_at,
        "status": meeting.status,
        "follow_up_tasks": [task.pk for task in meeting.follow_up_tasks.all()],
        "created_at": meeting.created_at,
        "updated_at": meeting.updated_at,
    }


def _meeting_answer(request: HttpRequest, response: HttpResponse, meeting: Meeting) -> Any:
    fresh = selectors.meeting_get(actor=request.user, meeting_id=meeting.pk)
    set_etag(response, fresh.version)
    return _meeting_out(fresh)


@router.get("/meetings", response={200: MeetingPageOut, **READ_ERRORS})
def meeting_list(request: HttpRequest, filters: Query[MeetingFilterIn]) -> dict[str, Any]:
    """Meetings the caller may see (organiser, attendee, the organiser's managers, the
    customer's viewers)."""
    qs = selectors.with_people(
        selectors.meeting_list(
            actor=request.user,
            filters=selectors.MeetingFilter(
                q=filters.q,
                status=filters.status,
                customer=filters.customer,
                person=filters.person,
                starts_from=filters.starts_from,
                starts_before=filters.starts_before,
            ),
        )
    ).prefetch_related("follow_up_tasks")
    return keyset_page_out(
        qs,
        ordering=selectors.MEETING_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_meeting_out,
    )


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, **READ_ERRORS})
def meeting_get(request: HttpRequest, meeting_id: Id, response: HttpResponse) -> Any:
    """One meeting; the ETag header carries its version for If-Match."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    set_etag(response, meeting.version)
    return _meeting_out(meeting)


@router.post("/meetings", response={201: MeetingOut, **WRITE_ERRORS})
def meeting_create(request: HttpRequest, payload: MeetingIn, response: HttpResponse) -> Status:
    """Create a meeting organised by the caller; attendees are notified."""
    meeting = services.meeting_create(actor=request.user, **changes_of(payload))
    return Status(201, _meeting_answer(request, response, meeting))


@router.patch("/meetings/{meeting_id}", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_update(
    request: HttpRequest,
    meeting_id: Id,
    payload: MeetingPatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent (lists replace). Send `If-Match`: stale -> 409."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, action="change")
    updated = services.meeting_update(
        actor=request.user,
        meeting=meeting,
        expected_version=expected_version(if_match, payload.version),
        **changes_of(payload, exclude={"version"}),
    )
    return _meeting_answer(request, response, updated)


@router.post("/meetings/{meeting_id}/cancel", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_cancel(
    request: HttpRequest, meeting_id: Id, response: HttpResponse, if_match: IfMatch = None
) -> Any:
    """Cancel the meeting and tell the attendees; repeating it changes nothing."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, action="change")
    updated = services.meeting_cancel(
        actor=request.user, meeting=meeting, expected_version=expected_version(if_match)
    )
    return _meeting_answer(request, response, updated)


@router.post("/meetings/{meeting_id}/minutes", response={200: MeetingOut, **WRITE_ERRORS})
def meeting_minutes(
    request: HttpRequest,
    meeting_id: Id,
    payload: MeetingMinutesIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Record the minutes (the meeting becomes "held")."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, action="change")
    updated = services.meeting_minutes_record(
        actor=request.user,
        meeting=meeting,
        minutes=payload.minutes,
        expected_version=expected_version(if_match, payload.version),
    )
    return _meeting_answer(request, response, updated)


@router.post(
    "/meetings/{meeting_id}/follow-up-tasks", response={201: list[TaskOut], **WRITE_ERRORS}
)
def meeting_follow_up_tasks(request: HttpRequest, meeting_id: Id, payload: FollowUpTasksIn) -> Any:
    """Create follow-up tasks from the minutes, all or none (errors: `rows.<i>.<field>`)."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    tasks = services.meeting_follow_up_tasks_create(
        actor=request.user,
        meeting=meeting,
        rows=[row.model_dump(exclude_unset=True) for row in payload.tasks],
    )
    return Status(201, [_task_out(_fresh(request, task)) for task in tasks])


@router.delete("/meetings/{meeting_id}", response={204: None, **WRITE_ERRORS})
def meeting_delete(request: HttpRequest, meeting_id: Id) -> Status:
    """Move to the recycle bin."""
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, action="delete")
    services.meeting_delete(actor=request.user, meeting=meeting)
    return Status(204, None)
