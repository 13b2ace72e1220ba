"""Dashboard page (one page, a view switch: mine / my teams / company) and the
drill-down customer list behind every chart."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from guanxi.analytics.dashboards import charts, selectors
from guanxi.analytics.dashboards.forms import CustomerFilterForm, DashboardFilterForm
from guanxi.analytics.permissions import VIEW_SCORES
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.permissions import require_page_permission

FILTER_LABELS = {
    "grade": _("Grade"),
    "stage": _("Lifecycle stage"),
    "r": "R",
    "f": "F",
    "at_risk": _("Churn warning"),
    "moved_from": _("From stage"),
    "moved_to": _("To stage"),
    "since": _("From"),
    "until": _("To"),
}


def _filter_form(request: HttpRequest) -> DashboardFilterForm:
    return DashboardFilterForm(
        request.GET or None,
        views=selectors.available_views(request.user),
        default_view=selectors.default_view(request.user),
        teams=selectors.visible_teams(request.user),
    )


def _flow_months(period: selectors.PeriodRef) -> int:
    """The stage-flow page's choice (1/3/6/12 months back) that covers the period."""
    from guanxi.analytics.views import FLOW_MONTHS

    length = period.month_last - period.month_first + 1
    return next((months for months in FLOW_MONTHS if months >= length), FLOW_MONTHS[-1])


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_SCORES)
    form = _filter_form(request)
    values = form.values()
    board = None
    try:
        scope = selectors.resolve_scope(
            actor=request.user, view=values["view"], team_id=values["team"]
        )
        # View and team are checked by resolve_scope (a refused view is a 403).
        shape_errors = {k: list(v) for k, v in form.errors.items() if k not in ("view", "team")}
        if shape_errors:
            raise ValidationError("", field_errors=shape_errors)
        state = selectors.refresh_state()
        period = selectors.resolve_period(
            preset=values["preset"],
            date_from=values["date_from"],
            date_to=values["date_to"],
            anchor_month=state.anchor_month if state else None,
        )
        board = selectors.dashboard_get(scope=scope, period=period)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(str(error)) from error
    except ValidationError as error:
        if error.field_errors:
            apply_field_errors(form, error)
    context: dict[str, Any] = {
        "form": form,
        "board": board,
        "charts": charts.dashboard_charts(board) if board is not None else None,
        "state": selectors.refresh_state() if board is None else board.kpis.as_of,
        "view": values["view"] or selectors.default_view(request.user),
        "flow_months": _flow_months(board.period) if board is not None else 1,
        "customers_url": (charts.customers_url(board.scope) if board is not None else ""),
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
def dashboard_customers(request: HttpRequest) -> HttpResponse:
    """Customers behind a chart element; `after` pages on (keyset, htmx "more")."""
    require_page_permission(request, VIEW_SCORES)
    form = CustomerFilterForm(request.GET)
    page = None
    scope = None
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        try:
            scope = selectors.resolve_scope(
                actor=request.user,
                view=form.cleaned_data.get("view") or None,
                team_id=form.cleaned_data.get("team"),
            )
            page = selectors.drilldown_customers(scope=scope, filters=form.to_filter())
        except PermissionDenied as error:
            raise DjangoPermissionDenied(str(error)) from error
        except ValidationError as error:
            errors = error.field_errors
    else:
        errors = {name: list(messages) for name, messages in form.errors.items()}
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "page": page,
        "errors": errors,
        "filters": [
            (FILTER_LABELS[key], value)
            for key, value in request.GET.items()
            if key in FILTER_LABELS and value
        ],
        "query": query.urlencode(),
        "dashboard_query": charts.scope_params(scope) if scope is not None else {},
    }
    template = "analytics/dashboard_customers.html"
    if request.htmx and request.GET.get("after"):
        template = "analytics/partials/_dashboard_customer_rows.html"
    status = 422 if errors else 200
    return render(request, template, context, status=status)
