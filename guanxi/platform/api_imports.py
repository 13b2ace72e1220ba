"""Imports over the REST API: upload a file (dry run → 200, or a job → 202), poll, undo.

The same services as the web wizard and `guanxi import` (guanxi.platform.imports):
the file is streamed to disk under the size limit, sniffed and decoded there, and
every row is written through its target's services. File-level problems (not a
table, too large, mixed encodings, no mapped column) answer 422 with the reason
under `errors.file` or `errors.__all__`; row problems are listed in the result.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import Id, InSchema, keyset_page_out
from guanxi.platform.exceptions import ApplicationError, PermissionDenied, ValidationError
from guanxi.platform.imports.reading import ImportFileError
from guanxi.platform.imports.selectors import (
    import_mappings_for,
    import_run_get,
    import_runs_for,
)
from guanxi.platform.imports.services import (
    import_error_report_get,
    import_mapping_save,
    import_preview,
    import_start,
    import_undo,
    import_upload_store,
)
from guanxi.platform.imports.targets import ImportAdapter, import_target
from guanxi.platform.imports.uploads import limit_import_upload
from guanxi.platform.models import ImportMapping, ImportRun, Job
from guanxi.platform.permissions import has_permission

router = Router(tags=["imports"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Policy = Literal["skip", "fill", "overwrite", "create"]
Preset = Literal["hubspot", "salesforce", "zoho", "wukong"]


# --- schemas ---------------------------------------------------------------------------


class ImportIn(Schema):
    """The form fields sent with the file (multipart/form-data)."""

    target: str = Field(
        max_length=50, description="What the rows are: customers, contacts, interactions, tags."
    )
    mapping: str | None = Field(
        default=None,
        max_length=100_000,
        description='JSON object {"column header": "field"}; "" ignores a column. '
        "Omitted: guessed from the headers (Chinese and English).",
    )
    preset: Preset | None = Field(default=None, description="Column names of another CRM.")
    saved_mapping: str | None = Field(
        default=None, max_length=100, description="The name of a saved mapping to use."
    )
    policy: Policy = Field(
        default="skip",
        description="When a row matches an existing record: skip it, fill its empty "
        "fields, overwrite them, or create a new record anyway.",
    )
    all_or_nothing: bool = Field(
        default=False, description="Write nothing unless every row of the file is valid."
    )
    dry_run: bool = Field(
        default=False, description="Only check: answer 200 with what would happen."
    )
    batch_size: int = Field(default=500, ge=1, le=10_000)
    preview_rows: int | None = Field(
        default=None, ge=1, le=10_000_000, description="Dry run: check only the first N rows."
    )


class RowErrorOut(Schema):
    row: int
    message: str


class ImportPreviewOut(Schema):
    target: str
    kind: str
    encoding: str
    headers: list[str]
    mapping: dict[str, str]
    fields: dict[str, str]
    created: int
    updated: int
    skipped: int
    failed: int
    errors: list[RowErrorOut]


class ImportSummaryOut(Schema):
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


class ImportLinksOut(Schema):
    self: str
    undo: str
    errors_xlsx: str | None = None


class ImportRunOut(Schema):
    id: int
    target: str
    file_name: str
    status: str = Field(description="queued, running, succeeded, failed or cancelled")
    job_id: uuid.UUID | None
    done: int
    total: int
    percent: int
    message: str
    policy: str
    all_or_nothing: bool
    summary: ImportSummaryOut | None
    created_at: dt.datetime
    undone_at: dt.datetime | None
    links: ImportLinksOut


class ImportRunDetailOut(ImportRunOut):
    errors: list[RowErrorOut] = Field(description="Row errors (the first 1,000).")


class ImportRunPageOut(Schema):
    items: list[ImportRunOut]
    next_cursor: str | None


class ImportRunFilter(Schema):
    cursor: Annotated[str, Field(max_length=1000)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class ImportMappingIn(InSchema):
    name: str = Field(min_length=1, max_length=100)
    target: str = Field(max_length=50)
    mapping: dict[Annotated[str, Field(max_length=500)], Annotated[str, Field(max_length=200)]]


class ImportMappingOut(Schema):
    id: int
    name: str
    target: str
    mapping: dict[str, str]
    created_at: dt.datetime


class ImportMappingListOut(Schema):
    items: list[ImportMappingOut]


class ImportMappingFilter(Schema):
    target: str = Field(max_length=50)


# --- helpers ---------------------------------------------------------------------------


def _adapter(target: str) -> ImportAdapter:
    """The target's adapter, or a field error on `target`."""
    try:
        return import_target(target)
    except ApplicationError as error:
        raise ValidationError(
            _("Please correct the errors below."), field_errors={"target": [error.message]}
        ) from None


def _require_target_permission(actor: Any, adapter: ImportAdapter) -> None:
    """Refuse up front when every row would fail for want of permission."""
    code = getattr(adapter, "permission", None)
    if code and not has_permission(actor, code):
        raise PermissionDenied(_("You do not have permission to do this."))


def _checked_mapping(adapter: ImportAdapter, mapping: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(
        {
            str(field)
            for field in mapping.values()
            if field and str(field) not in adapter.fields and not str(field).startswith("custom:")
        }
    )
    if unknown:
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={
                "mapping": [
                    _("Unknown field “%(field)s”; use one of: %(fields)s.")
                    % {"field": name[:50], "fields": ", ".join(adapter.fields)}
                    for name in unknown[:10]
                ]
            },
        )
    return {str(header): str(field or "") for header, field in mapping.items()}


def _mapping_from_form(adapter: ImportAdapter, text: str | None) -> dict[str, str] | None:
    if text is None or not text.strip():
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(value, str | type(None)) for value in mapping.values()
    ):
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={
                "mapping": [_('Send a JSON object such as {"客户名称": "name", "手机": "phones"}.')]
            },
        )
    return _checked_mapping(adapter, mapping)


def _file_problem(error: ApplicationError) -> ValidationError:
    field = "file" if isinstance(error, ImportFileError) else "__all__"
    return ValidationError(error.message, field_errors={field: [error.message]})


def _run_out(request: HttpRequest, run: ImportRun, *, with_errors: bool = False) -> dict[str, Any]:
    job: Job | None = run.job
    summary = run.summary or {}
    status = job.status if job is not None else (Job.Status.SUCCEEDED if summary else "unknown")
    links = {
        "self": request.build_absolute_uri(reverse("api:import_get", kwargs={"run_id": run.pk})),
        "undo": request.build_absolute_uri(reverse("api:import_undo", kwargs={"run_id": run.pk})),
        "errors_xlsx": request.build_absolute_uri(
            reverse("api:import_error_report", kwargs={"run_id": run.pk})
        )
        if run.error_report and run.created_by_id == getattr(request.user, "pk", None)
        else None,
    }
    body = {
        "id": run.pk,
        "target": run.target,
        "file_name": run.file_name,
        "status": status,
        "job_id": job.pk if job is not None else None,
        "done": job.done if job is not None else 0,
        "total": job.total if job is not None else 0,
        "percent": job.percent if job is not None else (100 if summary else 0),
        "message": job.message if job is not None else "",
        "policy": (run.options or {}).get("policy", "skip"),
        "all_or_nothing": bool((run.options or {}).get("is_all_or_nothing")),
        "summary": {key: summary.get(key, 0) for key in ("created", "updated", "skipped", "failed")}
        if summary
        else None,
        "created_at": run.created_at,
        "undone_at": run.undone_at,
        "links": links,
    }
    if with_errors:
        body["errors"] = summary.get("errors", [])
    return body


def _mapping_out(saved: ImportMapping) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "name": saved.name,
        "target": saved.target,
        "mapping": saved.mapping,
        "created_at": saved.created_at,
    }


# --- operations ------------------------------------------------------------------------


@router.get("/imports/mappings", response={200: ImportMappingListOut, **READ_ERRORS})
def import_mapping_list(
    request: HttpRequest, filters: Query[ImportMappingFilter]
) -> dict[str, Any]:
    """Saved column mappings for a target (shared by everyone who imports)."""
    _adapter(filters.target)
    return {"items": [_mapping_out(saved) for saved in import_mappings_for(filters.target)]}


@router.post("/imports/mappings", response={201: ImportMappingOut, **WRITE_ERRORS})
def import_mapping_create(request: HttpRequest, payload: ImportMappingIn) -> Status:
    """Save a mapping under a name (a mapping of the same name and target is replaced)."""
    adapter = _adapter(payload.target)
    mapping = _checked_mapping(adapter, payload.mapping)
    if not payload.name.strip():
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={"name": [_("This field is required.")]},
        )
    saved = import_mapping_save(
        actor=request.user, name=payload.name, target=payload.target, mapping=mapping
    )
    return Status(201, _mapping_out(saved))


@router.post(
    "/imports",
    response={200: ImportPreviewOut, 202: ImportRunOut, **WRITE_ERRORS},
    openapi_extra={"responses": {200: {"description": "The dry run's result"}}},
)
@decorate_view(limit_import_upload)  # before the body is read: see imports/uploads.py
def import_create(
    request: HttpRequest,
    response: HttpResponse,
    file: File[UploadedFile],
    form: Form[ImportIn],
) -> Status:
    """Import a CSV, XLSX, XLS or vCard file.

    With `dry_run` the rows are checked and nothing is kept (200). Otherwise the
    import runs as a job (202): poll `links.self` until `status` is `succeeded`,
    then read `summary` and fetch `links.errors_xlsx` if rows failed.
    """
    adapter = _adapter(form.target)
    _require_target_permission(request.user, adapter)
    mapping = _mapping_from_form(adapter, form.mapping)
    if (
        form.saved_mapping
        and not import_mappings_for(form.target).filter(name=form.saved_mapping).exists()
    ):
        raise ValidationError(
            _("Please correct the errors below."),
            field_errors={
                "saved_mapping": [
                    _("No saved mapping “%(name)s”.") % {"name": form.saved_mapping[:100]}
                ]
            },
        )
    options = {
        "actor": request.user,
        "target": form.target,
        "mapping": mapping,
        "preset": form.preset,
        "saved_mapping": form.saved_mapping or None,
        "policy": form.policy,
    }
    try:
        path = import_upload_store(file)
    except ApplicationError as error:
        raise _file_problem(error) from None
    try:
        if form.dry_run:
            preview = import_preview(path=path, limit=form.preview_rows, **options)
            return Status(
                200,
                {
                    **preview,
                    "target": form.target,
                    "fields": {name: str(label) for name, label in adapter.fields.items()},
                },
            )
        run = import_start(
            path=path,
            file_name=file.name or "import",
            batch_size=form.batch_size,
            is_all_or_nothing=form.all_or_nothing,
            **options,
        )
    except ApplicationError as error:
        if type(error) is not ApplicationError and not isinstance(error, ImportFileError):
            raise  # permission, validation, not found: mapped as they are
        raise _file_problem(error) from None
    finally:
        path.unlink(missing_ok=True)
    run = import_run_get(request.user, run.pk)
    body = _run_out(request, run)
    response["Location"] = body["links"]["self"]
    return Status(202, body)


@router.get("/imports", response={200: ImportRunPageOut, **READ_ERRORS})
def import_list(request: HttpRequest, filters: Query[ImportRunFilter]) -> dict[str, Any]:
    """Your imports, newest first (an administrator sees everyone's)."""
    return keyset_page_out(
        import_runs_for(request.user),
        ordering=["-created_at", "-id"],
        cursor=filters.cursor,
        limit=filters.limit,
        render=lambda run: _run_out(request, run),
    )


@router.get(
    "/imports/{run_id}", response={200: ImportRunDetailOut, **READ_ERRORS}, url_name="import_get"
)
def import_get(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """One import: its job's status and progress, then its summary and row errors."""
    return _run_out(request, import_run_get(request.user, run_id), with_errors=True)


@router.get(
    "/imports/{run_id}/errors.xlsx",
    response={200: None, **READ_ERRORS},
    url_name="import_error_report",
    openapi_extra={
        "responses": {
            200: {
                "description": "The rows that failed, with an error column",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def import_error_report(request: HttpRequest, run_id: Id) -> FileResponse:
    """The error report, for the person who ran the import only (404 for anyone else)."""
    path = import_error_report_get(actor=request.user, run_id=run_id)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"import-{run_id}-errors.xlsx",
        content_type=XLSX_TYPE,
    )


@router.post(
    "/imports/{run_id}/undo",
    response={200: ImportRunDetailOut, **WRITE_ERRORS},
    url_name="import_undo",
)
def import_run_undo(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    """Undo an import: what it created goes to the recycle bin, what it updated is restored."""
    import_undo(actor=request.user, run=import_run_get(request.user, run_id))
    return _run_out(request, import_run_get(request.user, run_id), with_errors=True)
