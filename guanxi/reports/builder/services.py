"""Writes of the report builder: saved reports (save, rename, share, delete to the
recycle bin, restore), exports (audited) and e-mail schedules.

Saved reports belong to their owner: only the owner edits, deletes or schedules
one; `is_shared` lets the owner's team open (run) it, each in their own scope.
A schedule runs the report as its owner (scoped as the owner) and e-mails the file
to recipients who could see that data themselves (`may_receive`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.platform.audit import audit_record, snapshot
from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import DataScope, data_scope_of
from guanxi.platform.softdelete import mark_deleted, mark_restored
from guanxi.platform.versioning import ensure_version, lock_current
from guanxi.reports.builder import exports
from guanxi.reports.builder.definition import CORRECT_ERRORS, MAX_NAME, definition_parse
from guanxi.reports.builder.query import ReportResult, report_run
from guanxi.reports.models import ReportSchedule, SavedReport, ScheduleFrequency
from guanxi.reports.permissions import (
    DELETE_SAVED_REPORTS,
    EXPORT_REPORTS,
    SCHEDULE_REPORTS,
    VIEW_SALES_REPORTS,
)

logger = logging.getLogger(__name__)

NAME_REQUIRED = gettext_lazy("Enter a name.")
NAME_TOO_LONG = gettext_lazy("Use at most %(max)s characters.")
NOT_OWNER = gettext_lazy("Only the owner of a saved report may change it.")
EXPORT_NOT_ALLOWED = gettext_lazy("You do not have permission to export reports.")
SCHEDULE_NOT_ALLOWED = gettext_lazy("You do not have permission to schedule reports.")
BAD_FORMAT = gettext_lazy("Choose XLSX, CSV or PDF.")
BAD_FREQUENCY = gettext_lazy("Choose weekly or monthly.")
BAD_WEEKDAY = gettext_lazy("Choose a weekday.")
BAD_DAY = gettext_lazy("Enter a day from 1 to 31.")
NO_RECIPIENTS = gettext_lazy("Choose at least one recipient.")
BAD_RECIPIENT = gettext_lazy(
    "%(name)s cannot receive this report: they must be active, have an e-mail address, "
    "may view reports and see at least the data of the report's owner."
)
MAX_RECIPIENTS = 50

SAVED_FIELDS = ("name", "is_shared", "definition")
SCHEDULE_FIELDS = ("frequency", "weekday", "day_of_month", "format", "is_active")
EXPORTED_ACTION = "reports.report.exported"
EMAILED_ACTION = "reports.report.emailed"


# ---------------------------------------------------------------- saved reports
def _clean_name(name: Any, errors: dict[str, list[str]]) -> str:
    text = str(name or "").strip()
    if not text:
        errors["name"] = [str(NAME_REQUIRED)]
    elif len(text) > MAX_NAME:
        errors["name"] = [str(NAME_TOO_LONG % {"max": MAX_NAME})]
    return text


def _require_view(actor: Any) -> None:
    if not has_permission(actor, VIEW_SALES_REPORTS):
        raise PermissionDenied(_("You do not have permission to view reports."))


def _owned(actor: Any, report_id: Any, *, include_deleted: bool = False) -> SavedReport:
    """The actor's own saved report, locked; a visible one of someone else is 403,
    anything else 404."""
    from guanxi.reports.builder.selectors import saved_report_get

    report = saved_report_get(actor=actor, report_id=report_id, include_deleted=include_deleted)
    if report.owner_id != actor.pk:
        raise PermissionDenied(str(NOT_OWNER))
    return lock_current(report)


@transaction.atomic
def saved_report_create(
    *, actor: Any, name: str, definition: dict[str, Any], is_shared: bool = False
) -> SavedReport:
    """Save a definition under a name (validated like a run; not run here)."""
    _require_view(actor)
    errors: dict[str, list[str]] = {}
    clean_name = _clean_name(name, errors)
    parsed = None
    try:
        parsed = definition_parse(definition)
    except ValidationError as error:
        errors.update(error.field_errors)
    if errors or parsed is None:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)
    report = SavedReport.objects.create(
        name=clean_name,
        owner=actor,
        team=getattr(actor, "team", None),
        is_shared=bool(is_shared),
        definition=parsed.as_json(),
    )
    audit_record(
        actor=actor,
        action="reports.saved_report.created",
        instance=report,
        changes={"after": snapshot(report, SAVED_FIELDS)},
    )
    return report


@transaction.atomic
def saved_report_update(
    *,
    actor: Any,
    report_id: Any,
    expected_version: int | None = None,
    name: str | None = None,
    definition: dict[str, Any] | None = None,
    is_shared: bool | None = None,
) -> SavedReport:
    """Rename, re-share or replace the definition of the actor's own report."""
    _require_view(actor)
    report = _owned(actor, report_id)
    ensure_version(report, expected_version, compare_fields=SAVED_FIELDS)
    before = snapshot(report, SAVED_FIELDS)
    errors: dict[str, list[str]] = {}
    if name is not None:
        report.name = _clean_name(name, errors)
    if definition is not None:
        try:
            report.definition = definition_parse(definition).as_json()
        except ValidationError as error:
            errors.update(error.field_errors)
    if is_shared is not None:
        report.is_shared = bool(is_shared)
        report.team = getattr(actor, "team", None)
    if errors:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)
    report.version += 1
    report.save()
    after = snapshot(report, SAVED_FIELDS)
    audit_record(
        actor=actor,
        action="reports.saved_report.updated",
        instance=report,
        changes={"before": before, "after": after},
    )
    return report


@transaction.atomic
def saved_report_delete(
    *, actor: Any, report_id: Any, expected_version: int | None = None
) -> SavedReport:
    """Move the actor's own report to the recycle bin (its schedules stop sending)."""
    if not has_permission(actor, DELETE_SAVED_REPORTS):
        raise PermissionDenied(_("You do not have permission to delete saved reports."))
    report = _owned(actor, report_id)
    ensure_version(report, expected_version)
    if mark_deleted(report, actor=actor):
        audit_record(actor=actor, action="reports.saved_report.deleted", instance=report)
    return report


@transaction.atomic
def saved_report_restore(*, actor: Any, instance: SavedReport) -> SavedReport:
    """Bring a report back from the recycle bin (its owner, or whoever may delete it
    in their data scope: the recycle bin's rule)."""
    from guanxi.platform.scoping import is_restorable

    if not is_restorable(instance, actor=actor):
        raise NotFound("saved report")
    report = lock_current(instance)
    if mark_restored(report):
        audit_record(actor=actor, action="reports.saved_report.restored", instance=report)
    return report


# ---------------------------------------------------------------- export
@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def report_export(
    *,
    actor: Any,
    definition: dict[str, Any] | None = None,
    report_id: Any = None,
    fmt: str,
) -> ExportFile:
    """Run a definition (or a saved report) as the actor and return it as a file;
    one audit entry records who exported what, in which format, how many rows."""
    if not has_permission(actor, EXPORT_REPORTS):
        raise PermissionDenied(str(EXPORT_NOT_ALLOWED))
    if fmt not in exports.FORMATS:
        raise ValidationError(str(CORRECT_ERRORS), field_errors={"format": [str(BAD_FORMAT)]})
    name = ""
    saved = None
    if report_id is not None:
        from guanxi.reports.builder.selectors import saved_report_get

        saved = saved_report_get(actor=actor, report_id=report_id)
        definition, name = saved.definition, saved.name
    result = report_run(actor=actor, definition=definition_parse(definition or {}))
    export = ExportFile(
        content=exports.write(result, fmt, name=name),
        filename=exports.file_name(result, fmt, name),
        content_type=exports.CONTENT_TYPES[fmt],
        rows=len(result.rows),
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=EXPORTED_ACTION,
            instance=saved,
            object_type="" if saved else SavedReport._meta.label_lower,
            changes={
                "format": fmt,
                "count": export.rows,
                "definition": result.definition.as_json(),
            },
        )
    return export


# ---------------------------------------------------------------- schedules
SCOPE_RANK = {DataScope.OWN: 0, DataScope.TEAM: 1, DataScope.SUBTREE: 2, DataScope.ALL: 3}


def may_receive(recipient: Any, owner: Any) -> bool:
    """Whether `recipient` may get the owner's report by e-mail: an active user with an
    e-mail address and the report permission, whose data scope covers the owner's
    (by role scope and team tree: the owner themselves; "all"; a subtree holding the
    owner's team; the owner's own team when the owner sees no more than that team)."""
    if recipient is None or not recipient.is_active or not recipient.email:
        return False
    if not has_permission(recipient, VIEW_SALES_REPORTS):
        return False
    if recipient.pk == owner.pk:
        return True
    mine, theirs = data_scope_of(recipient), data_scope_of(owner)
    if mine == DataScope.ALL:
        return True
    if theirs == DataScope.ALL or recipient.team is None or owner.team is None:
        return False
    in_subtree = owner.team.path.startswith(recipient.team.path)
    if mine == DataScope.SUBTREE:
        return in_subtree
    if mine == DataScope.TEAM:
        return recipient.team_id == owner.team_id and SCOPE_RANK[theirs] <= SCOPE_RANK[mine]
    return False


def period_of(frequency: str, day: dt.date) -> str:
    """The period a day falls in: ISO week ("2026-W48") or month ("2026-11")."""
    if frequency == ScheduleFrequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def send_day(schedule: ReportSchedule, day: dt.date) -> dt.date:
    """The day in `day`'s period the schedule sends on."""
    if schedule.frequency == ScheduleFrequency.WEEKLY:
        return day - dt.timedelta(days=day.weekday()) + dt.timedelta(days=schedule.weekday)
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = (next_month - dt.timedelta(days=1)).day
    return day.replace(day=min(schedule.day_of_month, last))


def is_due(schedule: ReportSchedule, today: dt.date) -> bool:
    """Due: active, this period not sent yet, and its send day has come (a day missed
    while the server was down is caught up later in the same period, not after)."""
    return (
        schedule.is_active
        and schedule.last_sent_period != period_of(schedule.frequency, today)
        and today >= send_day(schedule, today)
    )


def _schedule_fields(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "frequency" in data:
        if data["frequency"] not in ScheduleFrequency.values:
            errors["frequency"] = [str(BAD_FREQUENCY)]
        clean["frequency"] = data["frequency"]
    if "weekday" in data:
        try:
            clean["weekday"] = int(data["weekday"])
            if not 0 <= clean["weekday"] <= 6:
                raise ValueError
        except (TypeError, ValueError):
            errors["weekday"] = [str(BAD_WEEKDAY)]
    if "day_of_month" in data:
        try:
            clean["day_of_month"] = int(data["day_of_month"])
            if not 1 <= clean["day_of_month"] <= 31:
                raise ValueError
        except (TypeError, ValueError):
            errors["day_of_month"] = [str(BAD_DAY)]
    if "format" in data:
        if data["format"] not in exports.FORMATS:
            errors["format"] = [str(BAD_FORMAT)]
        clean["format"] = data["format"]
    if "is_active" in data:
        clean["is_active"] = bool(data["is_active"])
    return clean


def _recipients(owner: Any, ids: Any, errors: dict[str, list[str]]) -> list[Any]:
    from guanxi.accounts.models import User

    wanted: list[int] = []
    for value in ids or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            errors["recipients"] = [str(NO_RECIPIENTS)]
            return []
    wanted = list(dict.fromkeys(wanted))
    if not wanted or len(wanted) > MAX_RECIPIENTS:
        errors["recipients"] = [str(NO_RECIPIENTS)]
        return []
    users = list(User.objects.filter(pk__in=wanted).select_related("role", "team"))
    refused = [u for u in users if not may_receive(u, owner)]
    if len(users) != len(wanted) or refused:
        names = [str(u) for u in refused] or [_("An unknown user")]
        errors["recipients"] = [str(BAD_RECIPIENT % {"name": n}) for n in names]
        return []
    return users


def _require_schedule(actor: Any) -> None:
    if not has_permission(actor, SCHEDULE_REPORTS):
        raise PermissionDenied(str(SCHEDULE_NOT_ALLOWED))


@transaction.atomic
def schedule_create(
    *, actor: Any, report_id: Any, recipients: list[Any], **fields: Any
) -> ReportSchedule:
    """Schedule the actor's own report. When this period's send day has already
    passed, the first e-mail goes next period (no surprise e-mail on creation)."""
    _require_schedule(actor)
    report = _owned(actor, report_id)
    errors: dict[str, list[str]] = {}
    data = {"frequency": ScheduleFrequency.WEEKLY, "format": "xlsx", **fields}
    clean = _schedule_fields(data, errors)
    users = _recipients(actor, recipients, errors)
    if errors:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)
    schedule = ReportSchedule(report=report, created_by=actor, **clean)
    today = timezone.localdate()
    if send_day(schedule, today) < today:
        schedule.last_sent_period = period_of(schedule.frequency, today)
    schedule.save()
    schedule.recipients.set(users)
    audit_record(
        actor=actor,
        action="reports.schedule.created",
        instance=schedule,
        changes={
            "after": {**snapshot(schedule, SCHEDULE_FIELDS), "recipients": [u.pk for u in users]}
        },
    )
    return schedule


def _owned_schedule(actor: Any, schedule_id: Any) -> ReportSchedule:
    from guanxi.reports.builder.selectors import schedule_get

    schedule = schedule_get(actor=actor, schedule_id=schedule_id)
    if schedule.report.owner_id != actor.pk:
        raise PermissionDenied(str(NOT_OWNER))
    return lock_current(schedule)


@transaction.atomic
def schedule_update(
    *,
    actor: Any,
    schedule_id: Any,
    expected_version: int | None = None,
    recipients: list[Any] | None = None,
    **fields: Any,
) -> ReportSchedule:
    _require_schedule(actor)
    schedule = _owned_schedule(actor, schedule_id)
    ensure_version(schedule, expected_version, compare_fields=SCHEDULE_FIELDS)
    before = snapshot(schedule, SCHEDULE_FIELDS)
    errors: dict[str, list[str]] = {}
    clean = _schedule_fields(fields, errors)
    users = _recipients(actor, recipients, errors) if recipients is not None else None
    if errors:
        raise ValidationError(str(CORRECT_ERRORS), field_errors=errors)
    for name, value in clean.items():
        setattr(schedule, name, value)
    schedule.version += 1
    schedule.save()
    if users is not None:
        schedule.recipients.set(users)
    audit_record(
        actor=actor,
        action="reports.schedule.updated",
        instance=schedule,
        changes={"before": before, "after": snapshot(schedule, SCHEDULE_FIELDS)},
    )
    return schedule


@transaction.atomic
def schedule_delete(*, actor: Any, schedule_id: Any) -> None:
    """Remove a schedule for good: it is a setting of the report, not a record of its
    own (the report itself goes to the recycle bin); the audit entry keeps it."""
    _require_schedule(actor)
    schedule = _owned_schedule(actor, schedule_id)
    audit_record(
        actor=actor,
        action="reports.schedule.deleted",
        instance=schedule,
        changes={"before": snapshot(schedule, SCHEDULE_FIELDS)},
    )
    schedule.delete()


def _claim(schedule: ReportSchedule, period: str) -> bool:
    """Mark the period as sent unless someone else already did: the conditional UPDATE
    makes the second of two concurrent runs find nothing to claim."""
    claimed = (
        ReportSchedule.objects.filter(pk=schedule.pk, is_active=True)
        .exclude(last_sent_period=period)
        .update(last_sent_period=period, last_sent_at=timezone.now())
    )
    return claimed == 1


def _unclaim(schedule: ReportSchedule, period: str) -> None:
    ReportSchedule.objects.filter(pk=schedule.pk, last_sent_period=period).update(
        last_sent_period=schedule.last_sent_period, last_sent_at=schedule.last_sent_at
    )


def schedule_send(*, schedule: ReportSchedule, today: dt.date | None = None) -> bool:
    """Send one schedule's report if it is due; True when it was sent now.

    Runs the report as its owner (scoped as the owner), attaches the file in the
    chosen format and e-mails each recipient who may still receive it. A failure
    to send gives the period back, so the next run tries again.
    """
    today = today or timezone.localdate()
    if not is_due(schedule, today):
        return False
    report, owner = schedule.report, schedule.report.owner
    if report.deleted_at is not None or not owner.is_active:
        return False
    period = period_of(schedule.frequency, today)
    if not _claim(schedule, period):
        return False
    try:
        recipients = [u for u in schedule.recipients.all() if may_receive(u, owner)]
        if not recipients:
            return False
        with translation.override(owner.language or None):
            result: ReportResult = report_run(
                actor=owner, definition=definition_parse(report.definition)
            )
            content = exports.write(result, schedule.format, name=report.name)
            filename = exports.file_name(result, schedule.format, report.name)
            subject = _("Report: %(name)s (%(period)s)") % {"name": report.name, "period": period}
            body = "\n".join(
                [
                    _("Hello,"),
                    "",
                    _("Attached is the report “%(name)s”, as %(owner)s sees it.")
                    % {"name": report.name, "owner": str(owner)},
                    exports.describe(result),
                    "",
                    _("Guanxi CRM"),
                ]
            )
        for recipient in recipients:
            message = EmailMessage(subject=subject, body=body, to=[recipient.email])
            message.attach(filename, content, exports.CONTENT_TYPES[schedule.format])
            message.send()
    except Exception:
        _unclaim(schedule, period)
        raise
    with transaction.atomic():
        audit_record(
            actor=None,
            action=EMAILED_ACTION,
            instance=report,
            changes={
                "schedule": schedule.pk,
                "period": period,
                "format": schedule.format,
                "count": len(result.rows),
                "recipients": [u.pk for u in recipients],
            },
        )
    return True


def schedules_send_due(*, today: dt.date | None = None) -> int:
    """Send every due schedule (the periodic task); returns how many were sent. One
    broken report (say, its saved filter's team was deleted) does not stop the rest."""
    sent = 0
    schedules = (
        ReportSchedule.objects.filter(is_active=True, report__deleted_at__isnull=True)
        .select_related("report__owner__role", "report__owner__team")
        .order_by("id")
    )
    for schedule in schedules:
        try:
            if schedule_send(schedule=schedule, today=today):
                sent += 1
        except Exception:
            logger.exception("report schedule %s failed", schedule.pk)
    return sent
