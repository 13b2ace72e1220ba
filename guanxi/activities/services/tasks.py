"""Task writes (STYLE.md rule 2).

Every write checks the permission, validates everything before saving (one
ValidationError with all field errors, nothing written), bumps `version` and
writes one audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import Task, TaskPriority, TaskStatus
from guanxi.activities.notify import notify
from guanxi.activities.permissions import ADD_TASK, CHANGE_TASK, DELETE_TASK
from guanxi.activities.workdays import working_days_after
from guanxi.contracts.selectors import contract_get
from guanxi.customers.selectors import customer_get
from guanxi.customers.services._common import (
    clean_notes,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.deals.selectors import opportunity_get
from guanxi.leads.selectors import lead_get
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current

TASK_NOT_FOUND = _("This task does not exist or you cannot see it.")
TITLE_REQUIRED = _("Enter a title.")
UNKNOWN_ASSIGNEE = _("Choose an active user.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_RECORD = _("Choose a record you can see.")
INVALID_TIME = _("Enter a time as HH:MM.")
UNKNOWN_FIELD = _("Unknown field.")

EDITABLE_FIELDS = [
    "title",
    "notes",
    "assignee",
    "due_on",
    "due_time",
    "priority",
    "status",
    "customer",
    "lead",
    "opportunity",
    "contract",
    "remind_minutes_before",
    "due_in_working_days",
]
AUDIT_FIELDS = [*EDITABLE_FIELDS[:-1], "done_at"]
# The reminder choices the form offers; the API takes any number of minutes up to 30 days.
REMIND_CHOICES = (0, 15, 60, 1440)
MAX_REMIND_MINUTES = 30 * 1440
DEFAULT_TIME = dt.time(9, 0)  # the due moment of a task without a time
INVALID_REMINDER = _("Choose when to be reminded (minutes before the due time, up to 30 days).")
INVALID_WORKING_DAYS = _("Enter a number of working days from 0 to 365.")


# --- validation --------------------------------------------------------------------


def _user(value: Any, errors: dict[str, list[str]]) -> Any:
    user_model = get_user_model()
    if isinstance(value, user_model):
        pk: Any = value.pk
    else:
        pk = value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        errors.setdefault("assignee", []).append(str(UNKNOWN_ASSIGNEE))
        return None
    user = user_model.objects.filter(pk=pk, is_active=True).first() if 0 < pk < 2**63 else None
    if user is None:
        errors.setdefault("assignee", []).append(str(UNKNOWN_ASSIGNEE))
    return user


def _customer(actor: Any, value: Any, errors: dict[str, list[str]]) -> Any:
    if value in (None, "", 0):
        return None
    pk = getattr(value, "pk", value)
    try:
        return customer_get(actor=actor, customer_id=pk)
    except (NotFound, OverflowError):
        errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
        return None


def _related(actor: Any, name: str, value: Any, errors: dict[str, list[str]]) -> Any:
    """A lead, opportunity or contract the actor can see (through its app's selector)."""
    if value in (None, "", 0):
        return None
    pk = getattr(value, "pk", value)
    try:
        if name == "lead":
            return lead_get(actor=actor, lead_id=pk)
        if name == "opportunity":
            return opportunity_get(actor=actor, opportunity_id=pk)
        return contract_get(actor=actor, contract_id=pk)
    except (NotFound, OverflowError, ValueError, TypeError):
        errors.setdefault(name, []).append(str(UNKNOWN_RECORD))
        return None


def _time(value: Any, errors: dict[str, list[str]]) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        return dt.time.fromisoformat(str(value).strip()).replace(second=0, microsecond=0)
    except ValueError:
        errors.setdefault("due_time", []).append(str(INVALID_TIME))
        return None


def _remind_minutes(value: Any, errors: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) > MAX_REMIND_MINUTES:
        errors.setdefault("remind_minutes_before", []).append(str(INVALID_REMINDER))
        return None
    return int(text)


def task_due_at(task: Task) -> dt.datetime:
    """The due moment: the due time on the due day, else 09:00 (local time)."""
    return timezone.make_aware(dt.datetime.combine(task.due_on, task.due_time or DEFAULT_TIME))


def _schedule_reminder(task: Task) -> None:
    """Derive remind_at; a moved reminder goes out again, an unchanged one not twice."""
    wanted = None
    if (
        task.remind_minutes_before is not None
        and task.status == TaskStatus.OPEN
        and isinstance(task.due_on, dt.date)
    ):
        wanted = task_due_at(task) - dt.timedelta(minutes=task.remind_minutes_before)
    if wanted != task.remind_at:
        task.remind_at = wanted
        task.reminded_at = None


def _apply(task: Task, actor: Any, changes: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(UNKNOWN_FIELD))
        elif name == "assignee":
            task.assignee = _user(value, errors)
        elif name == "customer":
            task.customer = _customer(actor, value, errors)
        elif name in ("lead", "opportunity", "contract"):
            record = _related(actor, name, value, errors)
            setattr(task, name, record)
            # A task about a deal or contract is about its customer too (360 page),
            # unless the caller names the customer.
            if record is not None and "customer" not in changes:
                customer_id = getattr(record, "customer_id", None)
                if customer_id and task.customer_id is None:
                    task.customer_id = customer_id
        elif name == "due_time":
            task.due_time = _time(value, errors)
        elif name == "notes":
            task.notes = clean_notes(value, errors)
        elif name == "remind_minutes_before":
            task.remind_minutes_before = _remind_minutes(value, errors)
        elif name == "due_in_working_days":
            if value in (None, ""):
                continue
            if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) > 365:
                errors.setdefault("due_on", []).append(str(INVALID_WORKING_DAYS))
                continue
            task.due_on = working_days_after(timezone.localdate(), int(value))
        elif name in ("priority", "status") and value in (None, ""):
            setattr(task, name, TaskPriority.NORMAL if name == "priority" else TaskStatus.OPEN)
        else:
            setattr(task, name, coerce_model_value(task, name, value, errors))


def _finish(task: Task, errors: dict[str, list[str]]) -> None:
    if not task.title and "title" not in errors:
        errors.setdefault("title", []).append(str(TITLE_REQUIRED))
    if task.status == TaskStatus.DONE and task.done_at is None:
        task.done_at = timezone.now()
    elif task.status != TaskStatus.DONE:
        task.done_at = None
    related = ("assignee", "customer", "due_time", "lead", "opportunity", "contract")
    exclude = [name for name in related if name in errors]
    if task.assignee_id is None and "assignee" not in errors:
        errors.setdefault("assignee", []).append(str(UNKNOWN_ASSIGNEE))
        exclude.append("assignee")
    full_clean_into(task, errors, exclude=exclude)
    _schedule_reminder(task)


def _snapshot(task: Task) -> dict[str, Any]:
    return snapshot(task, AUDIT_FIELDS)


# --- services ----------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: Any,
    title: str,
    due_on: Any = None,
    assignee: Any = None,
    meeting: Any = None,
    **fields: Any,
) -> Task:
    """Create a task; the assignee defaults to the actor, the customer must be in scope.

    `due_in_working_days=N` sets the due date N working days after today instead.
    `meeting` (a Meeting the caller found through a selector) marks a follow-up task
    created from its minutes.
    """
    require_permission(actor, ADD_TASK)
    errors: dict[str, list[str]] = {}
    task = Task(created_by=actor if getattr(actor, "pk", None) else None, meeting=meeting)
    if assignee is None:
        assignee = actor
    _apply(task, actor, {"title": title, "due_on": due_on, "assignee": assignee, **fields}, errors)
    _finish(task, errors)
    task.save()
    audit_record(
        actor=actor,
        action="activities.task.created",
        instance=task,
        changes={"after": _snapshot(task)},
    )
    return task


def _locked_live(task: Task) -> Task:
    current = lock_current(task)
    if current.deleted_at is not None:
        raise NotFound(str(TASK_NOT_FOUND))
    return current


@transaction.atomic
def task_update(*, actor: Any, task: Task, expected_version: int | None, **changes: Any) -> Task:
    """Apply `changes` (the caller found `task` through a selector); stale version -> 409."""
    require_permission(actor, CHANGE_TASK)
    current = _locked_live(task)
    ensure_version(current, expected_version, compare_fields=AUDIT_FIELDS[:-1])
    before = _snapshot(current)
    errors: dict[str, list[str]] = {}
    for name in ("customer", "lead", "opportunity", "contract"):
        if name in changes and getattr(changes[name], "pk", changes[name]) == getattr(
            current, f"{name}_id"
        ):
            changes.pop(name)  # unchanged: keep it even if it left the actor's scope
    _apply(current, actor, changes, errors)
    _finish(current, errors)
    current.version += 1
    current.save()
    audit_record(
        actor=actor,
        action="activities.task.updated",
        instance=current,
        changes=diff(before, _snapshot(current)),
    )
    return current


@transaction.atomic
def task_done(*, actor: Any, task: Task, is_done: bool = True) -> Task:
    """Tick a task done (or open it again). Idempotent: no version check, no-op writes nothing."""
    require_permission(actor, CHANGE_TASK)
    current = _locked_live(task)
    wanted = TaskStatus.DONE if is_done else TaskStatus.OPEN
    if current.status == wanted:
        return current
    before = _snapshot(current)
    current.status = wanted
    current.done_at = timezone.now() if is_done else None
    _schedule_reminder(current)
    current.version += 1
    current.save(
        update_fields=["status", "done_at", "remind_at", "reminded_at", "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="activities.task.done" if is_done else "activities.task.reopened",
        instance=current,
        changes=diff(before, _snapshot(current)),
    )
    return current


@transaction.atomic
def task_delete(*, actor: Any, task: Task) -> Task:
    require_permission(actor, DELETE_TASK)
    current = lock_current(task)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="activities.task.deleted", instance=current)
    return current


@transaction.atomic
def task_restore(*, actor: Any, instance: Task) -> Task:
    """Back from the recycle bin; a task whose customer is deleted comes back with it."""
    from guanxi.activities.selectors.tasks import task_is_restorable

    if not task_is_restorable(instance, actor=actor):
        raise NotFound(str(TASK_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="activities.task.restored", instance=current)
    return current


REMINDER_BATCH = 500


def task_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send every reminder that is due (once): the periodic job calls this each minute.

    Each task is claimed with a conditional UPDATE (reminded_at IS NULL), so two
    workers running at the same time never send the same reminder twice. Reminders
    of tasks done, cancelled or in the recycle bin are not sent.
    """
    from django.urls import reverse

    now = now or timezone.now()
    sent = 0
    due = (
        Task.objects.filter(
            remind_at__lte=now,
            reminded_at__isnull=True,
            status=TaskStatus.OPEN,
            deleted_at__isnull=True,
        )
        .select_related("assignee", "customer")
        .order_by("remind_at", "id")
    )
    for task in due[:REMINDER_BATCH]:
        with transaction.atomic():
            claimed = Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed or not task.assignee.is_active:
                continue
            when = timezone.localtime(task_due_at(task))
            notify(
                recipient=task.assignee,
                kind="activities.task_reminder",
                title=str(_("Task due %(when)s: %(title)s"))
                % {"when": when.strftime("%Y-%m-%d %H:%M"), "title": task.title},
                body=task.customer.name if task.customer_id else "",
                url=reverse("activities:task_update", args=[task.pk]),
            )
            sent += 1
    return sent
