"""Meeting writes: create, update, cancel, minutes, follow-up tasks, recycle bin.

Same contract as the task services: permission first, every field validated before
anything is saved (one ValidationError with all field errors), `version` bumped,
one audit entry in the same transaction. Attendee users get a notification when
they are invited (on create, or when added later) and when the meeting is cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.activities.models import Meeting, MeetingStatus, Task
from guanxi.activities.notify import notify
from guanxi.activities.permissions import (
    ADD_MEETING,
    ADD_TASK,
    CHANGE_MEETING,
    DELETE_MEETING,
)
from guanxi.activities.services.tasks import task_create
from guanxi.customers.selectors import contact_list, customer_get
from guanxi.customers.services._common import (
    clean_notes,
    coerce_model_value,
    full_clean_into,
    require_permission,
)
from guanxi.platform.audit import audit_record, diff, snapshot
from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current

MEETING_NOT_FOUND = _("This meeting does not exist or you cannot see it.")
TITLE_REQUIRED = _("Enter a title.")
INVALID_DATETIME = _("Enter a date and time as YYYY-MM-DD HH:MM.")
ENDS_BEFORE_START = _("The meeting cannot end before it starts.")
TOO_LONG = _("A meeting lasts at most 31 days.")
UNKNOWN_USERS = _("Choose active users.")
UNKNOWN_CONTACTS = _("Choose contacts of the meeting's customer.")
UNKNOWN_CUSTOMER = _("Choose a customer you can see.")
UNKNOWN_FIELD = _("Unknown field.")
TOO_MANY = _("At most %(max)s entries.")
AGENDA_ITEM_TOO_LONG = _("Each agenda item has at most 500 characters.")
CANCELLED_MEETING = _("This meeting was cancelled.")
NO_ROWS = _("Add at least one follow-up task.")
INVALID_INPUT = _("Please correct the errors below.")

MAX_ATTENDEES = 200
MAX_AGENDA_ITEMS = 50
MAX_FOLLOW_UPS = 50
DEFAULT_LENGTH = dt.timedelta(hours=1)

EDITABLE_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "is_all_day",
    "location",
    "online_url",
    "customer",
    "organiser",
    "attendees",
    "contacts",
    "agenda",
    "minutes",
    "status",
]
PLAIN_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "is_all_day",
    "location",
    "online_url",
    "customer",
    "organiser",
    "agenda",
    "minutes",
    "status",
]


# --- validation --------------------------------------------------------------------


def _datetime(value: Any, field: str, errors: dict[str, list[str]]) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time(0, 0))
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None or not 1900 <= parsed.year <= 2200:
        errors.setdefault(field, []).append(str(INVALID_DATETIME))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.replace(second=0, microsecond=0)


def _ids(value: Any, field: str, errors: dict[str, list[str]], message: Any) -> list[int] | None:
    if value in (None, ""):
        return []
    if isinstance(value, str | int) or not hasattr(value, "__iter__"):
        value = [value]
    ids: list[int] = []
    for item in value:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool):
            errors.setdefault(field, []).append(str(message))
            return None
        try:
            number = int(pk)
        except (TypeError, ValueError):
            errors.setdefault(field, []).append(str(message))
            return None
        if not 0 < number < 2**63:
            errors.setdefault(field, []).append(str(message))
            return None
        ids.append(number)
    if len(set(ids)) > MAX_ATTENDEES:
        errors.setdefault(field, []).append(str(TOO_MANY) % {"max": MAX_ATTENDEES})
        return None
    return list(dict.fromkeys(ids))


def _users(value: Any, field: str, errors: dict[str, list[str]]) -> list[Any] | None:
    ids = _ids(value, field, errors, UNKNOWN_USERS)
    if ids is None:
        return None
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(ids):
        errors.setdefault(field, []).append(str(UNKNOWN_USERS))
        return None
    return users


def _agenda(value: Any, errors: dict[str, list[str]]) -> list[str]:
    if value in (None, ""):
        return []
    lines = value.splitlines() if isinstance(value, str) else value
    if not isinstance(lines, list | tuple):
        errors.setdefault("agenda", []).append(str(INVALID_INPUT))
        return []
    items = [str(line).replace("\x00", "").strip() for line in lines]
    items = [item.lstrip("-*• ").strip() for item in items if item]
    if len(items) > MAX_AGENDA_ITEMS:
        errors.setdefault("agenda", []).append(str(TOO_MANY) % {"max": MAX_AGENDA_ITEMS})
    elif any(len(item) > 500 for item in items):
        errors.setdefault("agenda", []).append(str(AGENDA_ITEM_TOO_LONG))
    return items


class _Pending:
    """Many-to-many values checked before the save and written after it."""

    def __init__(self) -> None:
        self.attendees: list[Any] | None = None
        self.contacts: list[Any] | None = None
        self.contact_ids: list[int] | None = None


def _apply(
    meeting: Meeting,
    actor: Any,
    changes: dict[str, Any],
    errors: dict[str, list[str]],
    pending: _Pending,
) -> None:
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            errors.setdefault(name, []).append(str(UNKNOWN_FIELD))
        elif name in ("starts_at", "ends_at"):
            setattr(meeting, name, _datetime(value, name, errors))
        elif name == "customer":
            meeting.customer = _customer(actor, value, errors)
        elif name == "organiser":
            users = _users([value] if value not in (None, "") else [], name, errors)
            meeting.organiser = users[0] if users else None
        elif name == "attendees":
            pending.attendees = _users(value, name, errors)
        elif name == "contacts":
            pending.contact_ids = _ids(value, name, errors, UNKNOWN_CONTACTS)
        elif name == "agenda":
            meeting.agenda = _agenda(value, errors)
        elif name == "minutes":
            meeting.minutes = clean_notes(value, errors, field="minutes")
        elif name == "is_all_day":
            meeting.is_all_day = bool(value) and str(value).lower() not in ("0", "false", "off")
        else:
            setattr(meeting, name, coerce_model_value(meeting, name, value, errors))


def _customer(actor: Any, value: Any, errors: dict[str, list[str]]) -> Any:
    if value in (None, "", 0):
        return None
    pk = getattr(value, "pk", value)
    try:
        return customer_get(actor=actor, customer_id=pk)
    except (NotFound, OverflowError):
        errors.setdefault("customer", []).append(str(UNKNOWN_CUSTOMER))
        return None


def _finish(meeting: Meeting, actor: Any, errors: dict[str, list[str]], pending: _Pending) -> None:
    if not meeting.title and "title" not in errors:
        errors.setdefault("title", []).append(str(TITLE_REQUIRED))
    if meeting.starts_at is None and "starts_at" not in errors:
        errors.setdefault("starts_at", []).append(str(INVALID_DATETIME))
    if meeting.starts_at is not None and meeting.ends_at is None and "ends_at" not in errors:
        meeting.ends_at = meeting.starts_at + DEFAULT_LENGTH
    if meeting.is_all_day and meeting.starts_at and meeting.ends_at:
        # An all-day meeting runs from the start day's 00:00 to the end day's 23:59.
        start_day = timezone.localtime(meeting.starts_at).date()
        end_day = max(timezone.localtime(meeting.ends_at).date(), start_day)
        meeting.starts_at = timezone.make_aware(dt.datetime.combine(start_day, dt.time(0, 0)))
        meeting.ends_at = timezone.make_aware(dt.datetime.combine(end_day, dt.time(23, 59)))
    if meeting.starts_at and meeting.ends_at:
        if meeting.ends_at < meeting.starts_at:
            errors.setdefault("ends_at", []).append(str(ENDS_BEFORE_START))
        elif meeting.ends_at - meeting.starts_at > dt.timedelta(days=31):
            errors.setdefault("ends_at", []).append(str(TOO_LONG))
    if pending.contact_ids is not None:
        pending.contacts = _contacts(actor, meeting, pending.contact_ids, errors)
    if meeting.organiser_id is None and "organiser" not in errors:
        errors.setdefault("organiser", []).append(str(UNKNOWN_USERS))
    exclude = [name for name in ("customer", "organiser", "starts_at", "ends_at") if name in errors]
    if meeting.organiser_id is None:
        exclude.append("organiser")
    full_clean_into(meeting, errors, exclude=exclude)


def _contacts(
    actor: Any, meeting: Meeting, ids: list[int], errors: dict[str, list[str]]
) -> list[Any] | None:
    """Contacts the actor can see; with a customer, only that customer's contacts."""
    if not ids:
        return []
    qs = contact_list(actor=actor).filter(pk__in=ids)
    if meeting.customer_id:
        qs = qs.filter(customer_id=meeting.customer_id)
    contacts = list(qs)
    if len(contacts) != len(ids):
        errors.setdefault("contacts", []).append(str(UNKNOWN_CONTACTS))
        return None
    return contacts


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    values = snapshot(meeting, PLAIN_FIELDS)
    values["attendees"] = sorted(meeting.attendees.values_list("pk", flat=True))
    values["contacts"] = sorted(meeting.contacts.values_list("pk", flat=True))
    return values


def _when(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    return start.strftime("%Y-%m-%d") if meeting.is_all_day else start.strftime("%Y-%m-%d %H:%M")


def _invite(meeting: Meeting, actor: Any, users: list[Any]) -> None:
    url = reverse("activities:meeting_detail", args=[meeting.pk])
    for user in users:
        if user.pk == getattr(actor, "pk", None):
            continue
        notify(
            recipient=user,
            kind="activities.meeting_invited",
            title=str(_("Meeting %(when)s: %(title)s"))
            % {"when": _when(meeting), "title": meeting.title},
            body=str(_("Invited by %(organiser)s")) % {"organiser": meeting.organiser},
            url=url,
        )


def _write_m2m(meeting: Meeting, pending: _Pending) -> list[Any]:
    """Store the pending attendees/contacts; answer the attendees newly added."""
    added: list[Any] = []
    if pending.attendees is not None:
        before = set(meeting.attendees.values_list("pk", flat=True))
        meeting.attendees.set(pending.attendees)
        added = [user for user in pending.attendees if user.pk not in before]
    if pending.contacts is not None:
        meeting.contacts.set(pending.contacts)
    return added


# --- services ----------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, actor: Any, title: str, starts_at: Any, **fields: Any) -> Meeting:
    """Create a meeting organised by the actor (or `organiser`); invite the attendees.

    `ends_at` defaults to one hour after the start; the customer and contacts must be
    visible to the actor, contacts must belong to the customer when there is one.
    """
    require_permission(actor, ADD_MEETING)
    errors: dict[str, list[str]] = {}
    pending = _Pending()
    meeting = Meeting(created_by=actor if getattr(actor, "pk", None) else None)
    fields.setdefault("organiser", getattr(actor, "pk", None))
    _apply(meeting, actor, {"title": title, "starts_at": starts_at, **fields}, errors, pending)
    _finish(meeting, actor, errors, pending)
    meeting.save()
    invited = _write_m2m(meeting, pending)
    audit_record(
        actor=actor,
        action="activities.meeting.created",
        instance=meeting,
        changes={"after": _snapshot(meeting)},
    )
    _invite(meeting, actor, invited)
    return meeting


def _locked_live(meeting: Meeting) -> Meeting:
    current = lock_current(meeting)
    if current.deleted_at is not None:
        raise NotFound(str(MEETING_NOT_FOUND))
    return current


@transaction.atomic
def meeting_update(
    *, actor: Any, meeting: Meeting, expected_version: int | None, **changes: Any
) -> Meeting:
    """Apply `changes` (the caller found `meeting` through a selector); stale -> 409.

    Attendees added by this change are invited; the others are not told again.
    """
    require_permission(actor, CHANGE_MEETING)
    current = _locked_live(meeting)
    ensure_version(current, expected_version, compare_fields=PLAIN_FIELDS)
    before = _snapshot(current)
    errors: dict[str, list[str]] = {}
    pending = _Pending()
    if "customer" in changes and getattr(changes["customer"], "pk", changes["customer"]) == (
        current.customer_id
    ):
        changes.pop("customer")  # unchanged: keep it even if it left the actor's scope
    _apply(current, actor, changes, errors, pending)
    _finish(current, actor, errors, pending)
    current.version += 1
    current.save()
    invited = _write_m2m(current, pending)
    audit_record(
        actor=actor,
        action="activities.meeting.updated",
        instance=current,
        changes=diff(before, _snapshot(current)),
    )
    if current.status != MeetingStatus.CANCELLED:
        _invite(current, actor, invited)
    return current


@transaction.atomic
def meeting_cancel(*, actor: Any, meeting: Meeting, expected_version: int | None = None) -> Meeting:
    """Mark the meeting cancelled and tell the attendees; cancelling twice is a no-op."""
    require_permission(actor, CHANGE_MEETING)
    current = _locked_live(meeting)
    ensure_version(current, expected_version, compare_fields=PLAIN_FIELDS)
    if current.status == MeetingStatus.CANCELLED:
        return current
    before = current.status
    current.status = MeetingStatus.CANCELLED
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="activities.meeting.cancelled",
        instance=current,
        changes={"status": [before, current.status]},
    )
    url = reverse("activities:meeting_detail", args=[current.pk])
    for user in current.attendees.filter(is_active=True):
        if user.pk != getattr(actor, "pk", None):
            notify(
                recipient=user,
                kind="activities.meeting_cancelled",
                title=str(_("Meeting cancelled: %(title)s (%(when)s)"))
                % {"title": current.title, "when": _when(current)},
                url=url,
            )
    return current


@transaction.atomic
def meeting_minutes_record(
    *, actor: Any, meeting: Meeting, minutes: str, expected_version: int | None = None
) -> Meeting:
    """Write the minutes afterwards; the meeting counts as held from then on."""
    require_permission(actor, CHANGE_MEETING)
    current = _locked_live(meeting)
    ensure_version(current, expected_version, compare_fields=["minutes", "status"])
    if current.status == MeetingStatus.CANCELLED:
        raise ValidationError(
            str(CANCELLED_MEETING), field_errors={"minutes": [str(CANCELLED_MEETING)]}
        )
    errors: dict[str, list[str]] = {}
    text = clean_notes(minutes, errors, field="minutes")
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    before = snapshot(current, ["minutes", "status"])
    current.minutes = text
    current.minutes_recorded_at = timezone.now()
    current.status = MeetingStatus.HELD
    current.version += 1
    current.save(
        update_fields=["minutes", "minutes_recorded_at", "status", "version", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="activities.meeting.minutes_recorded",
        instance=current,
        changes=diff(before, snapshot(current, ["minutes", "status"])),
    )
    return current


@transaction.atomic
def meeting_follow_up_tasks_create(
    *, actor: Any, meeting: Meeting, rows: list[dict[str, Any]]
) -> list[Task]:
    """Create the follow-up tasks ticked on the minutes screen, all or none.

    Each row has `title`, `assignee` (default: the actor) and either `due_on` or
    `due_in_working_days`. The tasks carry the meeting's customer and point back at
    the meeting. Field errors come back as `rows.<index>.<field>`.
    """
    require_permission(actor, ADD_TASK)
    current = _locked_live(meeting)
    if not rows:
        raise ValidationError(str(NO_ROWS), field_errors={"rows": [str(NO_ROWS)]})
    if len(rows) > MAX_FOLLOW_UPS:
        message = str(TOO_MANY) % {"max": MAX_FOLLOW_UPS}
        raise ValidationError(message, field_errors={"rows": [message]})
    errors: dict[str, list[str]] = {}
    tasks: list[Task] = []
    for index, row in enumerate(rows):
        fields = {
            key: value
            for key, value in row.items()
            if key in ("title", "assignee", "due_on", "due_in_working_days", "due_time", "notes")
        }
        fields.setdefault("title", "")
        if fields.get("due_in_working_days") in (None, ""):
            fields.pop("due_in_working_days", None)
        try:
            # A savepoint per row: a refused row leaves nothing behind, and the
            # other rows are still checked so every error is reported at once.
            with transaction.atomic():
                tasks.append(
                    task_create(
                        actor=actor,
                        customer=current.customer_id,
                        meeting=current,
                        **fields,
                    )
                )
        except ValidationError as error:
            for field, messages in (error.field_errors or {}).items():
                errors.setdefault(f"rows.{index}.{field}", []).extend(messages)
    if errors:
        raise ValidationError(str(INVALID_INPUT), field_errors=errors)
    audit_record(
        actor=actor,
        action="activities.meeting.follow_ups_created",
        instance=current,
        changes={"tasks": [task.pk for task in tasks]},
    )
    return tasks


@transaction.atomic
def meeting_delete(*, actor: Any, meeting: Meeting) -> Meeting:
    require_permission(actor, DELETE_MEETING)
    current = lock_current(meeting)
    if mark_deleted(current, actor=actor):
        audit_record(actor=actor, action="activities.meeting.deleted", instance=current)
    return current


@transaction.atomic
def meeting_restore(*, actor: Any, instance: Meeting) -> Meeting:
    """Back from the recycle bin; a meeting whose customer is deleted comes back with it."""
    from guanxi.activities.selectors.meetings import meeting_is_restorable

    if not meeting_is_restorable(instance, actor=actor):
        raise NotFound(str(MEETING_NOT_FOUND))
    current = lock_current(instance)
    if mark_restored(current):
        audit_record(actor=actor, action="activities.meeting.restored", instance=current)
    return current
