"""Export views: the CSV streamed straight away, XLSX/PDF/vCard through a job.

Every export needs `customers.export_customer`, takes the list's own filters (so
the same scope) and is audited by the export services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from guanxi.customers.exports import (
    ExportExpired,
    customer_export_csv,
    export_file,
    export_start,
)
from guanxi.customers.forms.filters import CustomerFilterForm
from guanxi.customers.selectors import CustomerFilter
from guanxi.platform.exceptions import NotFound, PermissionDenied, ValidationError


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    """The list as CSV with the same filters (and so the same scope) as on screen."""
    form = CustomerFilterForm(request.GET or None, actor=request.user)
    filters = form.to_filter() if form.is_bound else CustomerFilter()
    try:
        lines = customer_export_csv(actor=request.user, filters=filters)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"customers-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _start(
    request: HttpRequest, *, kind: str, fmt: str, customer_id: int | None = None
) -> HttpResponse:
    filters = {
        key: request.GET.getlist(key) for key in request.GET if key not in ("cursor", "sort")
    }
    try:
        job = export_start(
            actor=request.user,
            kind=kind,
            format=fmt,
            filters=filters,
            customer_id=customer_id,
            vcard_version=request.GET.get("version", "4.0"),
        )
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from error
    except NotFound as error:
        raise Http404(str(error)) from error
    except ValidationError as error:
        messages.error(request, error.message)
        back = "customers:contact_list" if kind == "contacts" else "customers:customer_list"
        return redirect(reverse(back) + (f"?{request.GET.urlencode()}" if request.GET else ""))
    return redirect("platform:job_detail", job_id=job.pk)


@login_required
@require_POST
def customer_export_job(request: HttpRequest, fmt: str) -> HttpResponse:
    """Start an XLSX/PDF export of the customer list (the query string holds the filters)."""
    return _start(request, kind="customers", fmt=fmt)


@login_required
@require_POST
def contact_export_job(request: HttpRequest, fmt: str) -> HttpResponse:
    """Start a vCard/XLSX/CSV export of the contact list."""
    return _start(request, kind="contacts", fmt=fmt)


@login_required
@require_POST
def customer_profile_export(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Start the PDF of one customer's 360 page."""
    return _start(request, kind="customer", fmt="pdf", customer_id=customer_id)


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: str) -> HttpResponse:
    """The finished file, for the user who started the export only (404 for anyone else).

    A file deleted after the retention period sends the user back to the job page,
    which says so and links to the list to export again.
    """
    try:
        path, content_type = export_file(actor=request.user, job_id=job_id)
    except ExportExpired as error:
        messages.warning(request, error.message)
        return redirect("platform:job_detail", job_id=job_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type
    )
