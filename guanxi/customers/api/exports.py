"""Exports over the REST API: start a job (202), poll it, download the file (requester only)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from guanxi.customers.exports import export_file, export_start
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS, ProblemOut
from guanxi.platform.models import Job
from guanxi.platform.selectors import job_get

router = Router(tags=["exports"])


class ExportIn(Schema):
    kind: Literal["customers", "contacts", "customer"]
    format: Literal["csv", "xlsx", "pdf", "vcf"]
    filters: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description='The list page\'s query parameters, e.g. {"grade": "A", "q": "张"}.',
    )
    customer_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    vcard_version: Literal["4.0", "3.0"] = "4.0"


class ExportJobOut(Schema):
    id: uuid.UUID
    status: str
    percent: int
    done: int
    total: int
    count: int | None = None
    message: str = ""
    download_url: str | None = None


def _job_out(request: HttpRequest, job: Job) -> dict[str, Any]:
    finished = job.status == Job.Status.SUCCEEDED and (job.result or {}).get("file")
    return {
        "id": job.pk,
        "status": job.status,
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "count": (job.result or {}).get("count"),
        "message": job.message,
        "download_url": request.build_absolute_uri(
            reverse("api:export_download", kwargs={"job_id": job.pk})
        )
        if finished
        else None,
    }


@router.post("/exports", response={202: ExportJobOut, **WRITE_ERRORS})
def export_create(request: HttpRequest, payload: ExportIn) -> Status:
    """Start an export job; poll GET /exports/{job_id} until `download_url` is set."""
    job = export_start(
        actor=request.user,
        kind=payload.kind,
        format=payload.format,
        filters=payload.filters,
        customer_id=payload.customer_id,
        vcard_version=payload.vcard_version,
    )
    return Status(202, _job_out(request, job))


@router.get("/exports/{job_id}", response={200: ExportJobOut, **READ_ERRORS})
def export_get(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """The export job's status and progress (only its requester sees it)."""
    return _job_out(request, job_get(actor=request.user, job_id=job_id))


@router.get(
    "/exports/{job_id}/download",
    response={200: None, **READ_ERRORS, 410: ProblemOut},
    url_name="export_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The export file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def export_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    """The finished file, for the user who started the export only (404 for anyone else);
    410 once the file was deleted after the retention period (start the export again)."""
    path, content_type = export_file(actor=request.user, job_id=job_id)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type
    )
