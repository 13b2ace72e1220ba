"""Customer and contact exports: scoped like the lists, masked like the pages, audited.

CSV, XLSX and PDF share one header and one row source (`_header`, `_rows`), so
every format holds exactly what the list page shows the actor. Small lists stream
as CSV straight away; XLSX/PDF/vCard of a list run as a job (`export_start`) that
writes the file under DATA_DIR/exports/<job id>/ and records the audit entry with
the row count when it is done. Only the user who started a job may download it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.customers.masking import emails_for, phones_for
from guanxi.customers.models import Contact, Customer, CustomFieldTarget
from guanxi.customers.permissions import EXPORT_CUSTOMERS, VIEW_CONTACT_DETAILS
from guanxi.customers.selectors import (
    ContactFilter,
    CustomerFilter,
    contact_list,
    custom_field_definitions,
    customer_get,
    customer_list,
)
from guanxi.platform.audit import audit_record, jsonable
from guanxi.platform.exceptions import (
    ApplicationError,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from guanxi.platform.exports import csv_rows, csv_write, xlsx_write
from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job
from guanxi.platform.permissions import has_permission

EXPORT_NOT_ALLOWED = gettext_lazy("You do not have permission to export customers.")
EXPORT_NOT_READY = gettext_lazy("This export is not ready.")
EXPORT_EXPIRED = gettext_lazy(
    "This export has expired and its file was deleted: export again to get a fresh copy."
)
BAD_EXPORT = gettext_lazy("This kind of export does not exist.")
PDF_TOO_LONG = gettext_lazy(
    "A PDF holds at most %(limit)s customers: narrow the filters or export XLSX instead."
)
PDF_MAX_ROWS = 5000
BATCH_SIZE = 2000
EXPORT_JOB_KIND = "customers.export"
EXPORT_ACTION = "customers.customer.exported"
PROGRESS_EVERY = 200  # rows between looks at the clock
PROGRESS_SECONDS = 0.5  # at most two progress writes a second, however fast the rows go

KINDS = ("customers", "contacts", "customer")
FORMATS = {
    "customers": ("csv", "xlsx", "pdf"),
    "contacts": ("csv", "xlsx", "vcf"),
    "customer": ("pdf",),
}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "vcf": "text/vcard; charset=utf-8",
}


class ExportExpired(ApplicationError):
    """The export finished, but its file is gone (deleted after the retention period)."""

    status_code = 410
    code = "export_expired"


# ---------------------------------------------------------------- rows
def _header(custom_labels: list[str]) -> list[str]:
    return [
        _("ID"), _("Name"), _("Short name"), _("Type"), _("Grade"), _("Lifecycle stage"),
        _("Owner"), _("Team"), _("Phones"), _("E-mails"), _("WeChat ID"), _("Province"),
        _("City"), _("District"), _("Street address"), _("Industry"), _("Source"), _("Tags"),
        _("Created at"), _("Updated at"), *custom_labels,
    ]  # fmt: skip


# the narrower column set of the PDF table (a landscape page holds about ten)
PDF_COLUMNS = (0, 1, 4, 5, 6, 8, 9, 12, 15, 17)
PDF_WEIGHTS = [0.6, 3.0, 0.6, 1.0, 1.0, 1.6, 2.0, 0.8, 1.0, 1.4]


def _batches(qs: Any) -> Iterator[list[Any]]:
    """Model instances in keyset batches (newest first): contacts and vCards."""
    last_id = None
    while True:
        batch_qs = qs.order_by("-id")
        if last_id is not None:
            batch_qs = batch_qs.filter(id__lt=last_id)
        batch = list(batch_qs[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last_id = batch[-1].pk


# One tuple per customer, owner and team names joined in (the select_related of the
# list page without building model instances): a million rows stay cheap.
_CUSTOMER_VALUES = (
    "id", "name", "short_name", "kind", "grade", "lifecycle_stage",
    "owner__display_name", "owner__username", "team__name", "phones", "emails",
    "wechat_id", "province", "city", "district", "street", "industry", "source",
    "created_at", "updated_at", "custom_fields",
)  # fmt: skip


def _value_batches(qs: Any) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `qs` as value tuples in keyset batches (newest first)."""
    values = qs.select_related(None).prefetch_related(None).order_by("-id")
    last_id = None
    while True:
        batch_qs = values if last_id is None else values.filter(id__lt=last_id)
        batch = list(batch_qs.values_list(*_CUSTOMER_VALUES)[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]


def _tag_names(customer_ids: list[int]) -> dict[int, str]:
    """Tag names per customer for one batch, in the tags' own order: one query."""
    through = Customer.tags.through
    names: dict[int, list[str]] = {}
    pairs = (
        through.objects.filter(customer_id__in=customer_ids)
        .order_by("tag__group__order", "tag__name")
        .values_list("customer_id", "tag__name")
    )
    for customer_id, name in pairs:
        names.setdefault(customer_id, []).append(name)
    return {customer_id: " ".join(tags) for customer_id, tags in names.items()}


def _rows(qs: Any, *, full: bool, keys: list[str], actor: Any) -> Iterator[list[Any]]:
    kinds = {value: str(label) for value, label in Customer._meta.get_field("kind").flatchoices}
    stages = {
        value: str(label)
        for value, label in Customer._meta.get_field("lifecycle_stage").flatchoices
    }
    for batch in _value_batches(qs):
        tags = _tag_names([row[0] for row in batch])
        for (
            pk, name, short_name, kind, grade, stage, owner_display, owner_username, team,
            phones, emails, wechat_id, province, city, district, street, industry, source,
            created_at, updated_at, custom,
        ) in batch:  # fmt: skip
            custom = custom or {}
            yield [
                pk, name, short_name, kinds.get(kind, kind), grade, stages.get(stage, stage),
                owner_display or owner_username or "", team or "",
                " ".join(phones_for(actor, phones, full=full)) if phones else "",
                " ".join(emails_for(actor, emails, full=full)) if emails else "",
                wechat_id, province, city, district, street, industry, source,
                tags.get(pk, ""), _local(created_at), _local(updated_at),
                *[_custom_text(custom.get(key)) for key in keys],
            ]  # fmt: skip


def _local(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds")


def _custom_text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def _check(actor: Any) -> None:
    if not has_permission(actor, EXPORT_CUSTOMERS):
        raise PermissionDenied(str(EXPORT_NOT_ALLOWED))


def customer_export_table(
    *, actor: Any, filters: CustomerFilter
) -> tuple[list[str], Iterator[list[Any]]]:
    """The one header and row source of every customer list export (no permission check)."""
    qs = customer_list(actor=actor, filters=filters)
    definitions = custom_field_definitions(CustomFieldTarget.CUSTOMER)
    full = has_permission(actor, VIEW_CONTACT_DETAILS)
    keys = [d.key for d in definitions]
    header = _header([d.label for d in definitions])
    return header, _rows(qs, full=full, keys=keys, actor=actor)


def _audit(*, actor: Any, fmt: str, filters: Any, kind: str = "customers", **extra: Any) -> None:
    audit_record(
        actor=actor,
        action=EXPORT_ACTION,
        instance=None,
        object_type=(Contact if kind == "contacts" else Customer)._meta.label_lower,
        changes={"filters": jsonable(filters), "format": fmt, "kind": kind, **extra},
    )


@transaction.atomic
def customer_export_csv(*, actor: Any, filters: CustomerFilter) -> Iterator[str]:
    """Check the permission, record the export in the audit log, return the CSV lines.

    The rows are the actor's list with the same filters (so the same scope), with
    phones and e-mails masked unless the actor may see them. The lines stream after
    this returns, so the audit entry is written now, with the rows the list holds
    now: an export cut off half-way is still on record.
    """
    _check(actor)
    count = customer_list(actor=actor, filters=filters).count()
    header, rows = customer_export_table(actor=actor, filters=filters)
    _audit(actor=actor, fmt="csv", filters=asdict(filters), count=count)
    return csv_rows(header, rows)


# ---------------------------------------------------------------- writers
def _page_label(page: int) -> str:
    return _("Page %(page)s") % {"page": page}


def _write_customers(
    *, actor: Any, filters: CustomerFilter, fmt: str, target: Any, on_row: Callable | None
) -> int:
    header, rows = customer_export_table(actor=actor, filters=filters)
    if fmt == "xlsx":
        return xlsx_write(target, header, rows, sheet_name=_("Customers"), on_row=on_row)
    if fmt == "pdf":
        from guanxi.platform.pdf import pdf_table

        picked = ([row[i] for i in PDF_COLUMNS] for row in rows)
        return pdf_table(
            target,
            title=_("Customers"),
            header=[header[i] for i in PDF_COLUMNS],
            rows=picked,
            page_label=_page_label,
            on_row=on_row,
            weights=PDF_WEIGHTS,
        )
    with open(target, "w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        return csv_write(handle, header, rows, on_row=on_row)


def _contact_rows(*, actor: Any, filters: ContactFilter) -> tuple[list[str], Iterator[list[Any]]]:
    full = has_permission(actor, VIEW_CONTACT_DETAILS)
    header = [_("ID"), _("Name"), _("Job title"), _("Customer"), _("Phones"), _("E-mails"),
              _("WeChat ID")]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for batch in _batches(contact_list(actor=actor, filters=filters)):
            for contact in batch:
                yield [
                    contact.pk, contact.name, contact.title, contact.customer.name,
                    " ".join(phones_for(actor, contact.phones, full=full)),
                    " ".join(emails_for(actor, contact.emails, full=full)),
                    contact.wechat_id,
                ]  # fmt: skip

    return header, rows()


def _vcard_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def vcard(*, contact: Any, actor: Any, full: bool, version: str = "4.0") -> str:
    """One contact as a vCard (4.0, or 3.0 for older address books), phones masked as on pages."""
    name = _vcard_text(contact.name)
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"FN:{name}", f"N:{name};;;;"]
    if contact.title:
        lines.append(f"TITLE:{_vcard_text(contact.title)}")
    lines.append(f"ORG:{_vcard_text(contact.customer.name)}")
    for phone in phones_for(actor, contact.phones, full=full):
        if version == "3.0":
            lines.append(f"TEL;TYPE=CELL:{_vcard_text(phone)}")
        else:
            lines.append(f"TEL;VALUE=text;TYPE=cell:{_vcard_text(phone)}")
    for email in emails_for(actor, contact.emails, full=full):
        lines.append(f"EMAIL:{_vcard_text(email)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def _write_contacts(
    *, actor: Any, filters: ContactFilter, fmt: str, target: Any, on_row: Callable | None,
    version: str = "4.0",
) -> int:  # fmt: skip
    if fmt == "vcf":
        full = has_permission(actor, VIEW_CONTACT_DETAILS)
        count = 0
        with open(target, "w", encoding="utf-8", newline="") as handle:
            for batch in _batches(contact_list(actor=actor, filters=filters)):
                for contact in batch:
                    handle.write(vcard(contact=contact, actor=actor, full=full, version=version))
                    count += 1
                    if on_row is not None:
                        on_row(count)
        return count
    header, rows = _contact_rows(actor=actor, filters=filters)
    if fmt == "xlsx":
        return xlsx_write(target, header, rows, sheet_name=_("Contacts"), on_row=on_row)
    with open(target, "w", encoding="utf-8", newline="", buffering=1 << 20) as handle:
        return csv_write(handle, header, rows, on_row=on_row)


def customer_profile_pdf(*, actor: Any, customer_id: Any, target: Any) -> Customer:
    """One customer's profile, contacts and latest timeline as a PDF; audited."""
    from guanxi.customers.timeline import timeline_for_customer
    from guanxi.platform.pdf import pdf_document

    _check(actor)
    customer = customer_get(actor=actor, customer_id=customer_id)
    full = has_permission(actor, VIEW_CONTACT_DETAILS)
    profile = [
        (_("Name"), customer.name),
        (_("Short name"), customer.short_name),
        (_("Type"), customer.get_kind_display()),
        (_("Grade"), customer.grade),
        (_("Lifecycle stage"), customer.get_lifecycle_stage_display()),
        (_("Owner"), str(customer.owner or "")),
        (_("Phones"), " ".join(phones_for(actor, customer.phones, full=full))),
        (_("E-mails"), " ".join(emails_for(actor, customer.emails, full=full))),
        (_("Address"), " ".join(filter(None, [customer.province, customer.city,
                                              customer.district, customer.street]))),
        (_("Industry"), customer.industry),
        (_("Source"), customer.source),
    ]  # fmt: skip
    contacts = [
        [c.name, c.title, " ".join(phones_for(actor, c.phones, full=full)),
         " ".join(emails_for(actor, c.emails, full=full))]
        for c in contact_list(actor=actor, filters=ContactFilter(customer=customer.pk))
        .order_by("-is_primary", "id")[:200]
    ]  # fmt: skip
    events = [
        [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"), str(e.title),
         str(e.body or "")[:300]]
        for e in timeline_for_customer(customer=customer, actor=actor, limit=50)
    ]  # fmt: skip
    with transaction.atomic():
        pdf_document(
            target,
            title=customer.name,
            sections=[
                (_("Profile"), profile),
                (_("Contacts"), ([_("Name"), _("Job title"), _("Phones"), _("E-mails")], contacts)),
                (_("Timeline"), ([_("When"), _("What"), _("Details")], events)),
            ],
            page_label=_page_label,
        )
        _audit(actor=actor, fmt="pdf", filters={}, kind="customer", customer_id=customer.pk,
               count=1)  # fmt: skip
    return customer


# ---------------------------------------------------------------- jobs
def _query_dict(filters: dict[str, Any] | None) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in (filters or {}).items():
        if isinstance(value, list):
            query.setlist(str(key), [str(v) for v in value])
        elif value not in (None, ""):
            query[str(key)] = str(value)
    return query


def _filters_of(kind: str, actor: Any, filters: dict[str, Any] | None) -> Any:
    """The list filter the form builds from the same query the list page gets."""
    from guanxi.customers.forms.filters import ContactFilterForm, CustomerFilterForm

    form_class = ContactFilterForm if kind == "contacts" else CustomerFilterForm
    query = _query_dict(filters)
    form = form_class(query or None, actor=actor)
    if not form.is_bound:
        return ContactFilter() if kind == "contacts" else CustomerFilter()
    return form.to_filter()


def export_filename(kind: str, fmt: str, when: dt.date | None = None) -> str:
    day = when or timezone.localdate()
    return f"{kind}-{day:%Y%m%d}.{fmt}"


@transaction.atomic
def export_start(
    *,
    actor: Any,
    kind: str,
    format: str,
    filters: dict[str, Any] | None = None,
    customer_id: int | None = None,
    vcard_version: str = "4.0",
) -> Job:
    """Queue an export job; the job writes the file and audits the export with its row count."""
    _check(actor)
    if kind not in KINDS or format not in FORMATS[kind]:
        raise ValidationError(str(BAD_EXPORT))
    if kind == "customer":
        customer_get(actor=actor, customer_id=customer_id)  # 404 before queueing
    if kind == "customers" and format == "pdf":
        rows = customer_list(actor=actor, filters=_filters_of(kind, actor, filters))
        if rows[PDF_MAX_ROWS : PDF_MAX_ROWS + 1].exists():
            raise ValidationError(str(PDF_TOO_LONG) % {"limit": PDF_MAX_ROWS})
    from guanxi.platform.services import job_start

    titles = {"customers": _("Customer export"), "contacts": _("Contact export"),
              "customer": _("Customer profile export")}  # fmt: skip
    return job_start(
        actor=actor,
        kind=EXPORT_JOB_KIND,
        title=f"{titles[kind]} ({format.upper()})",
        params={
            "kind": kind,
            "format": format,
            "filters": jsonable(filters or {}),
            "customer_id": customer_id,
            "vcard_version": "3.0" if vcard_version == "3.0" else "4.0",
        },
    )


def _export_dir(job_id: Any) -> Path:
    return Path(settings.DATA_DIR) / "exports" / str(job_id)


def _run_export(context: JobContext) -> dict[str, Any]:
    job = context.job
    actor = job.created_by
    params = context.params
    kind, fmt = params["kind"], params["format"]
    _check(actor)  # the permission may have been taken away since the job was queued
    directory = _export_dir(job.pk)
    directory.mkdir(parents=True, exist_ok=True)
    filename = export_filename(kind, fmt)
    path = directory / filename
    if kind == "customer":
        context.set_total(1)
        customer = customer_profile_pdf(
            actor=actor, customer_id=params.get("customer_id"), target=str(path)
        )
        context.advance(1)
        filename = f"customer-{customer.pk}.pdf"
        path = path.rename(directory / filename)
        return {"file": filename, "count": 1, "format": fmt}

    filters = _filters_of(kind, actor, params.get("filters"))
    qs = (contact_list if kind == "contacts" else customer_list)(actor=actor, filters=filters)
    context.set_total(qs.count())
    reported = 0
    last_report = time.monotonic()

    def on_row(count: int) -> None:
        nonlocal reported, last_report
        if (
            count - reported >= PROGRESS_EVERY
            and time.monotonic() - last_report >= PROGRESS_SECONDS
        ):
            context.advance(count - reported)
            reported = count
            last_report = time.monotonic()

    if kind == "contacts":
        version = params.get("vcard_version", "4.0")
        count = _write_contacts(
            actor=actor, filters=filters, fmt=fmt, target=str(path), on_row=on_row, version=version
        )
    else:
        count = _write_customers(
            actor=actor, filters=filters, fmt=fmt, target=str(path), on_row=on_row
        )
    context.set_total(max(count, context.job.total))
    context.advance(count - reported)
    with transaction.atomic():
        _audit(actor=actor, fmt=fmt, filters=params.get("filters") or {}, kind=kind, count=count,
               job=str(job.pk))  # fmt: skip
    return {"file": filename, "count": count, "format": fmt}


register_job_handler(EXPORT_JOB_KIND, _run_export)


def export_file(*, actor: Any, job_id: Any) -> tuple[Path, str]:
    """The finished export file of a job the actor started (NotFound for anyone else)."""
    from guanxi.platform.selectors import job_get

    job = job_get(actor=actor, job_id=job_id)
    name = (job.result or {}).get("file") if job.kind == EXPORT_JOB_KIND else None
    if job.status != Job.Status.SUCCEEDED or not name:
        raise NotFound(str(EXPORT_NOT_READY))
    path = _export_dir(job.pk) / Path(name).name
    if not path.is_file():
        raise ExportExpired(str(EXPORT_EXPIRED))
    return path, CONTENT_TYPES[job.result.get("format", "csv")]


def export_is_expired(job: Job) -> bool:
    """A finished export whose file the nightly clean-up has deleted."""
    name = (job.result or {}).get("file")
    return bool(name) and not (_export_dir(job.pk) / Path(name).name).is_file()


def export_again_url(job: Job) -> str:
    """Where the requester starts the same export again: the list with its filters."""
    from django.urls import reverse

    params = job.params or {}
    if params.get("kind") == "customer" and params.get("customer_id"):
        return reverse("customers:customer_detail", args=[params["customer_id"]])
    name = (
        "customers:contact_list" if params.get("kind") == "contacts" else "customers:customer_list"
    )
    query = _query_dict(params.get("filters")).urlencode()
    return reverse(name) + (f"?{query}" if query else "")


def export_run_here(
    *, job: Job, on_progress: Callable[[int, int], None], poll_seconds: float = 0.3
) -> Job:
    """Run a queued export job in this process (the CLI), reporting its progress.

    The job runs in a thread (as a worker would run it: claim, write, record) while
    this thread follows its progress in the database; if a worker claimed the job
    first, the thread finds it claimed and this simply follows the worker.
    """
    import threading

    from django.db import connection

    from guanxi.platform.jobs import execute_job

    errors: list[BaseException] = []

    def run() -> None:
        try:
            execute_job(str(job.pk))
        except BaseException as error:  # reported through the Job row and re-raised below
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"export-{job.pk}")
    thread.start()
    while thread.is_alive() or not job.is_finished:
        thread.join(poll_seconds)
        job.refresh_from_db()
        on_progress(job.done, job.total)
        if not thread.is_alive() and not job.is_finished and job.status == Job.Status.QUEUED:
            break  # nothing ran it (cancelled before it started?)
    return job
