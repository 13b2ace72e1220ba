"""Reads of saved reports and schedules.

Visible saved reports: the actor's own, and those their owner shared with the
actor's team (the owner's team when it was saved; exactly that team, not its
sub-teams). A shared report runs in the reader's own data scope. Schedules are
seen by the report's owner only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.platform.exceptions import NotFound
from guanxi.platform.permissions import has_permission
from guanxi.reports.models import ReportSchedule, SavedReport
from guanxi.reports.permissions import VIEW_SALES_REPORTS


def saved_report_list(*, actor: Any, include_deleted: bool = False) -> QuerySet[SavedReport]:
    """Mine first, then shared ones, each by name."""
    if not has_permission(actor, VIEW_SALES_REPORTS):
        return SavedReport.objects.none()
    visible = Q(owner_id=actor.pk)
    team_id = getattr(actor, "team_id", None)
    if team_id is not None:
        visible |= Q(is_shared=True, team_id=team_id, owner__is_active=True)
    qs = SavedReport.objects.filter(visible).select_related("owner")
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    return qs.order_by("name", "id")


def saved_report_get(*, actor: Any, report_id: Any, include_deleted: bool = False) -> SavedReport:
    try:
        pk = int(report_id)
    except (TypeError, ValueError) as error:
        raise NotFound("saved report") from error
    report = saved_report_list(actor=actor, include_deleted=include_deleted).filter(pk=pk).first()
    if report is None:
        raise NotFound("saved report")
    return report


def schedule_list(*, actor: Any, report_id: Any = None) -> QuerySet[ReportSchedule]:
    if not has_permission(actor, VIEW_SALES_REPORTS):
        return ReportSchedule.objects.none()
    qs = ReportSchedule.objects.filter(
        report__owner_id=actor.pk, report__deleted_at__isnull=True
    ).select_related("report")
    if report_id is not None:
        qs = qs.filter(report_id=report_id)
    return qs.prefetch_related("recipients").order_by("id")


def schedule_get(*, actor: Any, schedule_id: Any) -> ReportSchedule:
    try:
        pk = int(schedule_id)
    except (TypeError, ValueError) as error:
        raise NotFound("schedule") from error
    schedule = schedule_list(actor=actor).filter(pk=pk).first()
    if schedule is None:
        raise NotFound("schedule")
    return schedule
