"""Import use cases: preview (dry run), start (a job), undo; and the job handler."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import ApplicationError, NotFound
from guanxi.platform.exports import neutralise_cell
from guanxi.platform.imports.engine import POLICIES, ImportEngine, ImportOptions
from guanxi.platform.imports.mapping import clean_mapping, guess_mapping
from guanxi.platform.imports.reading import ImportFileError, Table, max_import_bytes, open_table
from guanxi.platform.imports.targets import import_target
from guanxi.platform.jobs import JobCancelled, JobContext, register_job_handler
from guanxi.platform.models import ImportMapping, ImportRun, ImportRunRow, Job
from guanxi.platform.services import job_start

IMPORT_JOB_KIND = "platform.import"
ERROR_COLUMN = "错误 / error"


class ImportStateConflict(ApplicationError):
    """The run is in a state that does not allow this (still running, already undone)."""

    status_code = 409
    code = "conflict"


def imports_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def import_upload_store(upload: Any) -> Path:
    """Stream an uploaded file (Django UploadedFile) into the imports folder.

    Stops with ImportFileError as soon as the size limit is passed, so a 200 MB
    upload never lands on disk whole (and the views' `limit_import_upload` stops it
    while it arrives, before Django has stored it); the caller passes the path to
    import_preview / import_start and may delete it afterwards.
    """
    limit = max_import_bytes()
    too_large = ImportFileError(
        _("The file is larger than the limit of %(limit)s MB.")
        % {"limit": round(limit / 1024 / 1024, 1)}
    )
    if (getattr(upload, "size", None) or 0) > limit:  # cut off on arrival (uploads.py)
        raise too_large
    suffix = Path(getattr(upload, "name", "") or "").suffix.lower()[:10]
    path = imports_dir() / "uploads" / f"{uuid.uuid4().hex}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limit:
                handle.close()
                path.unlink(missing_ok=True)
                raise too_large
            handle.write(chunk)
    return path


def _mapping_for(
    table: Table, target: str, mapping: dict[str, str] | None, preset: str | None, saved: str | None
) -> dict[str, str]:
    adapter = import_target(target)
    if saved:
        found = ImportMapping.objects.filter(target=target, name=saved).first()
        if found is None:
            raise ApplicationError(_("No saved mapping “%(name)s”.") % {"name": saved})
        mapping = found.mapping
    if mapping is None:
        mapping = guess_mapping(
            table.headers,
            adapter.synonyms,
            preset=preset,
            target=target,
            custom_labels=adapter.custom_labels(),
        )
    return clean_mapping(mapping, table.headers, set(adapter.fields))


def _check_policy(policy: str) -> None:
    if policy not in POLICIES:
        raise ApplicationError(_("Unknown duplicate policy “%(policy)s”.") % {"policy": policy})


def import_preview(
    *,
    actor: Any,
    path: str | Path,
    target: str,
    mapping: dict[str, str] | None = None,
    preset: str | None = None,
    saved_mapping: str | None = None,
    policy: str = "skip",
    limit: int | None = None,
) -> dict[str, Any]:
    """Dry run: validate every row and say what would be created, updated or skipped.

    Runs the real writes inside a transaction that is rolled back, so the answer is
    exactly what the import would do; nothing is kept.
    """
    _check_policy(policy)
    table = open_table(path)
    cleaned = _mapping_for(table, target, mapping, preset, saved_mapping)
    engine = ImportEngine(
        actor=actor,
        adapter=import_target(target),
        table=table,
        options=ImportOptions(target=target, mapping=cleaned, policy=policy),
    )
    summary = engine.preview(limit=limit)
    return {
        "headers": table.headers,
        "mapping": cleaned,
        "kind": table.kind,
        "encoding": table.encoding,
        **summary.as_dict(),
    }


@transaction.atomic
def import_start(
    *,
    actor: Any,
    path: str | Path,
    file_name: str,
    target: str,
    mapping: dict[str, str] | None = None,
    preset: str | None = None,
    saved_mapping: str | None = None,
    policy: str = "skip",
    batch_size: int = 500,
    is_all_or_nothing: bool = False,
) -> ImportRun:
    """Keep a copy of the file, record an ImportRun and start its job after commit."""
    _check_policy(policy)
    table = open_table(path)
    cleaned = _mapping_for(table, target, mapping, preset, saved_mapping)
    if not any(cleaned.values()):
        raise ApplicationError(_("No column is mapped to a field."))
    stored = imports_dir() / f"{uuid.uuid4().hex}{Path(file_name).suffix.lower()[:10]}"
    shutil.copyfile(path, stored)
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    run = ImportRun.objects.create(
        target=target,
        file_name=file_name[:255],
        file_path=str(stored),
        file_sha256=digest.hexdigest(),
        options={
            "mapping": cleaned,
            "policy": policy,
            "batch_size": max(1, int(batch_size)),
            "is_all_or_nothing": bool(is_all_or_nothing),
        },
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    run.job = job_start(
        actor=actor,
        kind=IMPORT_JOB_KIND,
        title=_("Import %(name)s") % {"name": file_name},
        params={"run_id": run.pk},
    )
    run.save(update_fields=["job"])
    audit_record(
        actor=actor,
        action="platform.import.started",
        instance=run,
        changes={"target": target, "file": file_name, "policy": policy},
    )
    return run


def _already_imported(run: ImportRun) -> set[int]:
    return set(
        ImportRunRow.objects.filter(
            run__file_sha256=run.file_sha256,
            run__target=run.target,
            run__undone_at__isnull=True,
            outcome__in=[ImportRunRow.Outcome.CREATED, ImportRunRow.Outcome.UPDATED],
        )
        .exclude(run=run)
        .values_list("row_number", flat=True)
    )


def import_run_execute(*, run: ImportRun, context: JobContext | None = None) -> dict[str, Any]:
    """Run the import of `run` (called by its job); returns the summary."""
    actor = run.created_by
    table = open_table(run.file_path)
    options = ImportOptions(target=run.target, **run.options)
    if context is not None:
        context.set_total(table.count_rows())
    engine = ImportEngine(
        actor=actor,
        adapter=import_target(run.target),
        table=table,
        options=options,
        run=run,
        already_imported=_already_imported(run),
        progress=context.advance if context is not None else None,
    )
    summary = engine.execute()
    result = summary.as_dict()
    if summary.failed:
        run.error_report = str(_write_error_report(run, table))
    run.summary = result
    run.save(update_fields=["summary", "error_report"])
    audit_record(
        actor=actor,
        action="platform.import.finished",
        instance=run,
        changes={key: result[key] for key in ("created", "updated", "skipped", "failed")},
    )
    return {"run_id": run.pk, **{k: v for k, v in result.items() if k != "errors"}}


def _write_error_report(run: ImportRun, table: Table) -> Path:
    """The failed rows as they were in the file, plus an error column (streamed: the
    messages come from the run's stored rows in row order, never all in memory)."""
    import xlsxwriter

    path = imports_dir() / f"import-{run.pk}-errors.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, [neutralise_cell(h) for h in [*table.headers, ERROR_COLUMN]])
    failed = _failed_rows(run)
    wanted = next(failed, None)
    line = 1
    for row in table.rows():
        while wanted is not None and wanted[0] < row.number:
            wanted = next(failed, None)
        if wanted is None:
            break
        if wanted[0] == row.number:
            cells = [neutralise_cell(cell) for cell in [*row.cells, *row.extra_cells]]
            sheet.write_row(line, 0, [*cells[: len(table.headers)], neutralise_cell(wanted[1])])
            line += 1
    workbook.close()
    return path


def _failed_rows(run: ImportRun, chunk: int = 5000) -> Iterator[tuple[int, str]]:
    """(row number, message) of the run's failed rows in row order, read in chunks."""
    failed = run.rows.filter(outcome=ImportRunRow.Outcome.FAILED).order_by("row_number")
    last = 0
    while True:
        rows = list(failed.filter(row_number__gt=last).values_list("row_number", "message")[:chunk])
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1][0]


class _ReportingContext(JobContext):
    """A JobContext that also tells the caller (the CLI's progress bar) about progress."""

    def __init__(self, job: Job, on_progress: Callable[[int, int], None]) -> None:
        super().__init__(job=job)
        self.on_progress = on_progress

    def set_total(self, total: int) -> None:
        super().set_total(total)
        self.on_progress(self.job.done, total)

    def advance(self, count: int = 1, *, message: str = "") -> None:
        super().advance(count, message=message)
        self.on_progress(self.job.done, self.job.total)


def import_run_here(*, run: ImportRun, on_progress: Callable[[int, int], None]) -> ImportRun:
    """Run a started import in this process (the CLI), unless a worker already took it."""
    claimed = Job.objects.filter(pk=run.job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if claimed:
        job = Job.objects.get(pk=run.job_id)
        try:
            result = import_run_execute(run=run, context=_ReportingContext(job, on_progress))
        except JobCancelled:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.CANCELLED, finished_at=timezone.now()
            )
        except Exception as error:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED,
                finished_at=timezone.now(),
                message=f"{type(error).__name__}: {error}"[:500],
            )
            raise
        else:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result
            )
    run.refresh_from_db()
    return run


def _run_import_job(context: JobContext) -> dict[str, Any]:
    run = ImportRun.objects.select_related("created_by").get(pk=context.params["run_id"])
    return import_run_execute(run=run, context=context)


register_job_handler(IMPORT_JOB_KIND, _run_import_job)


@transaction.atomic
def import_undo(*, actor: Any, run: ImportRun) -> ImportRun:
    """Created records go to the recycle bin; updated ones get their earlier values back."""
    if run.created_by_id != getattr(actor, "pk", None) and not getattr(
        actor, "is_superuser", False
    ):
        raise NotFound(_("This import does not exist or you cannot see it."))
    if run.job_id is not None and not Job.objects.get(pk=run.job_id).is_finished:
        raise ImportStateConflict(_("This import is still running; undo it when it has finished."))
    if run.undone_at is not None:
        raise ImportStateConflict(_("This import has already been undone."))
    adapter = import_target(run.target)
    rows = run.rows.filter(outcome__in=[ImportRunRow.Outcome.CREATED, ImportRunRow.Outcome.UPDATED])
    counts = {"deleted": 0, "restored": 0}
    for row in rows.order_by("-row_number").iterator():
        if row.outcome == ImportRunRow.Outcome.CREATED:
            adapter.undo_create(actor=actor, object_id=row.object_id)
            counts["deleted"] += 1
        else:
            adapter.undo_update(actor=actor, object_id=row.object_id, before=row.before)
            counts["restored"] += 1
    run.undone_at = timezone.now()
    run.save(update_fields=["undone_at"])
    audit_record(actor=actor, action="platform.import.undone", instance=run, changes=counts)
    return run


@transaction.atomic
def import_mapping_save(
    *, actor: Any, name: str, target: str, mapping: dict[str, str]
) -> ImportMapping:
    """Save (or replace) a named mapping for reuse."""
    import_target(target)
    saved, _created = ImportMapping.objects.update_or_create(
        target=target,
        name=name.strip()[:100],
        defaults={"mapping": {str(k): str(v) for k, v in mapping.items()}, "created_by": actor},
    )
    audit_record(actor=actor, action="platform.import_mapping.saved", instance=saved)
    return saved


def import_error_report_get(*, actor: Any, run_id: int) -> Path:
    """The error report's path, for the person who ran the import only (else NotFound)."""
    run = ImportRun.objects.filter(pk=run_id, created_by_id=getattr(actor, "pk", None)).first()
    if run is None or not run.error_report or not Path(run.error_report).exists():
        raise NotFound(_("This error report does not exist or you cannot see it."))
    return Path(run.error_report)
