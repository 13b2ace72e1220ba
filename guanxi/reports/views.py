"""Report pages: trend, funnel, forecast (tabs), and the admin's refresh button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.platform.exceptions import NotFound, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import has_permission, require_page_permission
from guanxi.reports import charts, funnel, selectors
from guanxi.reports.forms import ReportFilterForm
from guanxi.reports.permissions import REFRESH_SALES_REPORTS, VIEW_SALES_REPORTS
from guanxi.reports.tasks import sales_month_refresh_task


def _form(request: HttpRequest) -> ReportFilterForm:
    owners, teams = selectors.filter_choices(actor=request.user)
    return ReportFilterForm(request.GET or None, owners=owners, teams=teams)


def _context(
    request: HttpRequest, tab: str, form: ReportFilterForm, **extra: Any
) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("pipeline", None)
    return {
        "tab": tab,
        "form": form,
        "filter_query": query.urlencode(),
        "as_of": selectors.data_as_of(),
        "can_refresh": has_permission(request.user, REFRESH_SALES_REPORTS),
        **extra,
    }


@login_required
@require_GET
def sales_trend(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    form = _form(request)
    trend = None
    try:
        trend = selectors.sales_trend(actor=request.user, filters=form.to_filter())
    except ValidationError as error:
        apply_field_errors(form, error)
    context = _context(
        request,
        "trend",
        form,
        trend=trend,
        chart=charts.trend_chart(trend) if trend is not None else None,
    )
    return render(request, "reports/sales_trend.html", context)


@login_required
@require_GET
def sales_funnel(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    form = _form(request)
    report = None
    try:
        report = funnel.sales_funnel(
            actor=request.user,
            filters=form.to_filter(),
            pipeline_id=request.GET.get("pipeline") or None,
        )
    except ValidationError as error:
        apply_field_errors(form, error)
    except NotFound as error:
        raise Http404(str(error)) from error
    context = _context(
        request,
        "funnel",
        form,
        funnel=report,
        chart=charts.funnel_chart(report) if report is not None else None,
    )
    return render(request, "reports/sales_funnel.html", context)


@login_required
@require_GET
def sales_forecast(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SALES_REPORTS)
    form = _form(request)
    report = None
    try:
        report = selectors.sales_forecast(actor=request.user, filters=form.to_filter())
    except ValidationError as error:
        apply_field_errors(form, error)
    context = _context(
        request,
        "forecast",
        form,
        forecast=report,
        chart=charts.forecast_chart(report) if report is not None else None,
    )
    return render(request, "reports/sales_forecast.html", context)


@login_required
@require_POST
def sales_refresh(request: HttpRequest) -> HttpResponse:
    """Queue an incremental refresh (a full rebuild with `full=1`)."""
    require_page_permission(request, REFRESH_SALES_REPORTS)
    sales_month_refresh_task(request.user.pk, bool(request.POST.get("full")))
    messages.success(request, _("The report data is being refreshed. Reload the page in a moment."))
    target = request.POST.get("next") or ""
    if not target.startswith("/reports/"):
        target = "reports:sales_trend"
    return redirect(target)
