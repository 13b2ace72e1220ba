"""Home page, health check, jobs and the recycle bin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.accounts.permissions import MANAGE_RECYCLE_BIN
from guanxi.customers.selectors import follow_ups_due
from guanxi.platform import selectors, services
from guanxi.platform.exceptions import ApplicationError, NotFound
from guanxi.platform.permissions import has_permission


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers; 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    due = list(follow_ups_due(actor=request.user)[:50])
    return render(request, "platform/home.html", {"follow_ups": due, "today": timezone.localdate()})


@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = selectors.job_get(actor=request.user, job_id=job_id)
    except (NotFound, ValueError) as error:
        raise_404(error)
    template = "platform/job_detail.html"
    if request.htmx:
        template += "#job-progress"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = selectors.job_get(actor=request.user, job_id=job_id)
    except (NotFound, ValueError) as error:
        raise_404(error)
    services.job_cancel(actor=request.user, job=job)
    return redirect("platform:job_detail", job_id=job.pk)


@login_required
def recycle_bin(request: HttpRequest) -> HttpResponse:
    sections = [
        (entry, list(qs[:100])) for entry, qs in selectors.recycle_bin_list(actor=request.user)
    ]
    context = {
        "sections": sections,
        "can_purge": has_permission(request.user, MANAGE_RECYCLE_BIN),
        "retention_days": settings.GUANXI["RECYCLE_BIN_RETENTION_DAYS"],
    }
    return render(request, "platform/recycle_bin.html", context)


@login_required
@require_POST
def recycle_bin_purge(request: HttpRequest) -> HttpResponse:
    """Purge now what is older than the retention period (the nightly job does it too)."""
    try:
        purged = services.recycle_bin_purge(actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(count)s records were purged for good.") % {"count": sum(purged.values())}
        )
    return redirect("platform:recycle_bin")


@login_required
@require_POST
def recycle_bin_restore(request: HttpRequest, type_key: str, object_id: int) -> HttpResponse:
    try:
        restored = services.recycle_bin_restore(
            actor=request.user, type_key=type_key, object_id=object_id
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(name)s” was restored.") % {"name": restored})
    return redirect("platform:recycle_bin")


def raise_404(error: Exception) -> None:
    from django.http import Http404

    raise Http404(str(error)) from error
