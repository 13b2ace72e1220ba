"""Saved reports, exports (file contents) and schedules (due / not due / once)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError
from guanxi.platform.models import AuditEntry
from guanxi.reports.builder import services
from guanxi.reports.builder.selectors import saved_report_get, saved_report_list
from guanxi.reports.models import ReportSchedule

pytestmark = pytest.mark.django_db

DEFINITION = {"dimension": "region", "measures": ["revenue", "customers"]}


def save(actor: Any, name: str = "各省销售", **extra: Any) -> Any:
    return services.saved_report_create(
        actor=actor, name=name, definition={**DEFINITION, **extra.pop("definition", {})}, **extra
    )


# --- saved reports ---------------------------------------------------------------------
def test_save_rename_share_delete_restore(org: Any) -> None:
    report = save(org.east_rep)
    assert report.definition["dimension"] == "region" and report.team == org.east
    assert list(saved_report_list(actor=org.east_rep2)) == []  # not shared yet
    report = services.saved_report_update(
        actor=org.east_rep, report_id=report.pk, expected_version=1, name="省份", is_shared=True
    )
    assert report.name == "省份" and report.version == 2
    assert list(saved_report_list(actor=org.east_rep2)) == [report]  # same team
    assert list(saved_report_list(actor=org.west_rep)) == []  # other team
    with pytest.raises(PermissionDenied):  # a reader of a shared report cannot change it
        services.saved_report_update(actor=org.east_rep2, report_id=report.pk, name="x")
    with pytest.raises(NotFound):
        services.saved_report_delete(actor=org.west_rep, report_id=report.pk)
    services.saved_report_delete(actor=org.east_rep, report_id=report.pk)
    assert list(saved_report_list(actor=org.east_rep)) == []
    from guanxi.platform.services import recycle_bin_restore

    recycle_bin_restore(actor=org.east_rep, type_key="reports.savedreport", object_id=report.pk)
    assert saved_report_get(actor=org.east_rep, report_id=report.pk).deleted_at is None
    actions = list(
        AuditEntry.objects.filter(object_type="reports.savedreport")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "reports.saved_report.created",
        "reports.saved_report.updated",
        "reports.saved_report.deleted",
        "reports.saved_report.restored",
    ]


def test_stale_version_conflicts(org: Any) -> None:
    from guanxi.platform.exceptions import ConflictError

    report = save(org.east_rep)
    services.saved_report_update(actor=org.east_rep, report_id=report.pk, name="a")
    with pytest.raises(ConflictError):
        services.saved_report_update(
            actor=org.east_rep, report_id=report.pk, expected_version=1, name="b"
        )


def test_save_refuses_bad_input(org: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.saved_report_create(
            actor=org.east_rep, name=" ", definition={"dimension": "x", "measures": []}
        )
    assert set(error.value.field_errors) == {"name", "dimension", "measures"}


# --- exports ---------------------------------------------------------------------------
def test_export_csv(book: Any) -> None:
    export = services.report_export(actor=book.org.east_rep, definition=DEFINITION, fmt="csv")
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert "上海,2000.00,2" in text and "江苏,0.00,1" in text
    assert "四川" not in text  # west1's customer is out of east1's scope
    entry = AuditEntry.objects.get(action=services.EXPORTED_ACTION)
    assert entry.actor == book.org.east_rep
    assert entry.changes["format"] == "csv" and entry.changes["count"] == 2


def test_export_xlsx(book: Any) -> None:
    import openpyxl

    export = services.report_export(actor=book.org.admin, definition=DEFINITION, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1] == ["上海", "2000.00", "2"]
    assert rows[-1][1:] == ["3100.00", "5"]  # the total
    assert len(rows) == 1 + 4 + 1


def test_export_pdf_has_chinese_text_and_numbers(book: Any, tmp_path: Any) -> None:
    export = services.report_export(
        actor=book.org.admin,
        definition={"dimension": "product", "measures": ["revenue", "customers"]},
        fmt="pdf",
    )
    assert export.content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(export.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "绿茶" in text and "茶杯" in text
    assert "2600.00" in text and "3100.00" in text


def test_export_month_pdf_draws_a_line(book: Any) -> None:
    export = services.report_export(
        actor=book.org.admin, definition={"dimension": "month", "measures": ["revenue"]}, fmt="pdf"
    )
    assert export.content.startswith(b"%PDF")


def test_export_needs_permission_and_a_format(book: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.report_export(actor=book.org.service_agent, definition=DEFINITION, fmt="csv")
    with pytest.raises(ValidationError):
        services.report_export(actor=book.org.admin, definition=DEFINITION, fmt="doc")


def test_formula_is_neutralised(org: Any) -> None:
    from guanxi.customers.tests.factories import CustomerFactory

    CustomerFactory(owner=org.east_rep, province="=HYPERLINK(1)")
    export = services.report_export(actor=org.east_rep, definition=DEFINITION, fmt="csv")
    assert "'=HYPERLINK(1)" in export.content.decode("utf-8")


# --- schedules -------------------------------------------------------------------------
def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_recipients_must_see_the_owners_data(org: Any) -> None:
    for user in (org.east_rep, org.east_rep2, org.west_rep, org.manager, org.admin):
        user.email = f"{user.username}@example.com"
        user.save(update_fields=["email"])
    report = save(org.east_rep)
    with pytest.raises(ValidationError) as error:
        services.schedule_create(actor=org.east_rep, report_id=report.pk,
                                 recipients=[org.west_rep.pk])  # fmt: skip
    assert "recipients" in error.value.field_errors
    with pytest.raises(ValidationError):  # east2 sees only own customers, not east1's
        services.schedule_create(actor=org.east_rep, report_id=report.pk,
                                 recipients=[org.east_rep2.pk])  # fmt: skip
    schedule = services.schedule_create(
        actor=org.east_rep, report_id=report.pk, frequency="weekly", weekday=0,
        recipients=[org.east_rep.pk, org.manager.pk, org.admin.pk],
    )  # fmt: skip
    assert schedule.recipients.count() == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [({"frequency": "daily"}, "frequency"), ({"weekday": 7}, "weekday"),
     ({"frequency": "monthly", "day_of_month": 0}, "day_of_month"), ({"format": "doc"}, "format")],
)  # fmt: skip
def test_bad_schedules(org: Any, data: dict, field: str) -> None:
    org.east_rep.email = "e@example.com"
    org.east_rep.save(update_fields=["email"])
    report = save(org.east_rep)
    with pytest.raises(ValidationError) as error:
        services.schedule_create(
            actor=org.east_rep, report_id=report.pk, recipients=[org.east_rep.pk], **data
        )
    assert field in error.value.field_errors


def test_weekly_schedule_due_not_due_sent_once(book: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = book.org
    org.east_rep.email = "east1@example.com"
    org.east_rep.save(update_fields=["email"])
    org.manager.email = "manager@example.com"
    org.manager.save(update_fields=["email"])
    report = save(org.east_rep, name="华东各省")
    schedule = services.schedule_create(
        actor=org.east_rep, report_id=report.pk, frequency="weekly", weekday=2, format="xlsx",
        recipients=[org.east_rep.pk, org.manager.pk],
    )  # fmt: skip
    ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_period="")
    monday = monday_of(dt.date(2026, 11, 23))
    assert services.schedules_send_due(today=monday) == 0  # Wednesday has not come
    assert services.schedules_send_due(today=monday + dt.timedelta(days=2)) == 1
    assert services.schedules_send_due(today=monday + dt.timedelta(days=2)) == 0  # twice: once
    assert services.schedules_send_due(today=monday + dt.timedelta(days=4)) == 0  # same week
    assert len(mail.outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["east1@example.com", "manager@example.com"]
    message = mail.outbox[0]
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".xlsx") and mimetype.startswith("application/vnd.openxmlformats")
    import openpyxl

    rows = [
        [c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()
    ]
    labels = [row[0] for row in rows[1:-1]]
    assert labels == ["上海", "江苏"]  # run as east1: the manager gets east1's view
    assert rows[1][1] == str(Decimal("2000.00"))
    schedule.refresh_from_db()
    assert schedule.last_sent_period == "2026-W48"
    assert services.schedules_send_due(today=monday + dt.timedelta(days=9)) == 1  # next week
    assert AuditEntry.objects.filter(action=services.EMAILED_ACTION).count() == 2


def test_monthly_schedule_on_a_short_month(book: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = book.org
    org.admin.email = "boss@example.com"
    org.admin.save(update_fields=["email"])
    report = save(org.admin)
    schedule = services.schedule_create(
        actor=org.admin, report_id=report.pk, frequency="monthly", day_of_month=31,
        format="pdf", recipients=[org.admin.pk],
    )  # fmt: skip
    ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_period="")
    assert services.schedules_send_due(today=dt.date(2027, 2, 27)) == 0
    assert services.schedules_send_due(today=dt.date(2027, 2, 28)) == 1  # the last day
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF")


def test_deleted_report_and_failed_send(book: Any, settings: Any, monkeypatch: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    org = book.org
    org.admin.email = "boss@example.com"
    org.admin.save(update_fields=["email"])
    report = save(org.admin)
    schedule = services.schedule_create(
        actor=org.admin, report_id=report.pk, frequency="weekly", weekday=0,
        recipients=[org.admin.pk],
    )  # fmt: skip
    ReportSchedule.objects.filter(pk=schedule.pk).update(last_sent_period="")
    monday = dt.date(2026, 11, 23)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert services.schedules_send_due(today=monday) == 0
    schedule.refresh_from_db()
    assert schedule.last_sent_period == ""  # given back: the next run tries again
    monkeypatch.undo()
    services.saved_report_delete(actor=org.admin, report_id=report.pk)
    assert services.schedules_send_due(today=monday) == 0
    assert mail.outbox == []


def test_new_schedule_does_not_send_for_a_passed_day(org: Any) -> None:
    from django.utils import timezone

    org.admin.email = "boss@example.com"
    org.admin.save(update_fields=["email"])
    today = timezone.localdate()
    report = save(org.admin)
    if today.weekday() == 0:
        pytest.skip("Monday: nothing has passed")
    schedule = services.schedule_create(
        actor=org.admin, report_id=report.pk, frequency="weekly", weekday=0,
        recipients=[org.admin.pk],
    )  # fmt: skip
    assert not services.is_due(schedule, today)


def test_demo_saved_reports(org: Any) -> None:
    from guanxi.reports.builder.demo import DEMO_REPORTS, generate_saved_reports

    users = [org.admin, org.manager, org.east_rep]
    assert generate_saved_reports(users=users) == {"saved_reports": len(DEMO_REPORTS)}
    assert generate_saved_reports(users=users) == {"saved_reports": 0}  # twice: no copies
    from guanxi.reports.builder.definition import definition_parse
    from guanxi.reports.builder.query import report_run
    from guanxi.reports.models import SavedReport

    for report in SavedReport.objects.all():
        report_run(actor=report.owner, definition=definition_parse(report.definition))
