"""Sales trend and forecast reads (the funnel and weighted pipeline: funnel.py).

Every report starts from the actor's permission `reports.view_sales_reports`
and the same data scope as orders (the customer's owner/team): past months
come from SalesMonth filtered by `scope_condition`, the current month is read
live from the orders with the same condition (cheap: one month of orders on
the order-date index). Periods are whole months: a date range covers the
months its two dates fall in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.selectors import team_list, user_list
from guanxi.platform.exceptions import PermissionDenied, ValidationError
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import scope_condition
from guanxi.reports import forecast as forecasting
from guanxi.reports.models import ReportRefresh, SalesMonth
from guanxi.reports.permissions import VIEW_SALES_REPORTS
from guanxi.reports.services import SALES_MONTH, add_months, counted_orders, month_start
from guanxi.sales.models import Order

CENT = Decimal("0.01")
MAX_MONTHS = 120
DEFAULT_MONTHS = 12
FORECAST_HORIZON = 6
FORECAST_HISTORY_MONTHS = 72
MIN_YEAR = 1900
MAX_YEAR = 2999

BAD_RANGE = _("The start must not be after the end.")
TOO_LONG = _("Choose at most %(months)s months.")
BAD_YEAR = _("Enter a date between the years 1900 and 2999.")
UNKNOWN_OWNER = _("Choose a user you can see.")
UNKNOWN_TEAM = _("Choose a team you can see.")


@dataclass
class ReportFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    owner: int | None = None
    team: int | None = None


@dataclass
class Period:
    """Whole months from `start` to `end` (first days), both included."""

    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [add_months(self.start, index) for index in range(count)]

    @property
    def last_day(self) -> dt.date:
        return add_months(self.end, 1) - dt.timedelta(days=1)

    def shifted(self, months: int) -> Period:
        return Period(add_months(self.start, months), add_months(self.end, months))


def require_reports(actor: Any) -> None:
    if not has_permission(actor, VIEW_SALES_REPORTS):
        raise PermissionDenied("")


def _check_year(name: str, value: dt.date | None, errors: dict[str, list[str]]) -> None:
    if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
        errors.setdefault(name, []).append(str(BAD_YEAR))


def resolve_filter(*, actor: Any, filters: ReportFilter) -> tuple[Period, Any, Any]:
    """(period, owner user or None, team or None), or ValidationError with the field.

    Without dates: the last DEFAULT_MONTHS months up to the current one.
    """
    errors: dict[str, list[str]] = {}
    _check_year("date_from", filters.date_from, errors)
    _check_year("date_to", filters.date_to, errors)
    if errors:
        raise ValidationError(str(_("Please correct the errors below.")), field_errors=errors)
    today = timezone.localdate()
    end = month_start(filters.date_to or today)
    start = (
        month_start(filters.date_from) if filters.date_from else add_months(end, 1 - DEFAULT_MONTHS)
    )
    if start > end:
        errors["date_from"] = [str(BAD_RANGE)]
    elif Period(start, end).months.__len__() > MAX_MONTHS:
        errors["date_from"] = [str(TOO_LONG % {"months": MAX_MONTHS})]
    owner = team = None
    if filters.owner is not None:
        owner = user_list(actor=actor, include_inactive=True).filter(pk=filters.owner).first()
        if owner is None:
            errors["owner"] = [str(UNKNOWN_OWNER)]
    if filters.team is not None:
        team = team_list(actor=actor).filter(pk=filters.team).first()
        if team is None:
            errors["team"] = [str(UNKNOWN_TEAM)]
    if errors:
        raise ValidationError(str(_("Please correct the errors below.")), field_errors=errors)
    return Period(start, end), owner, team


def _scoped_months(actor: Any, owner: Any, team: Any) -> QuerySet[SalesMonth]:
    qs = SalesMonth.objects.all()
    condition = scope_condition(SalesMonth, actor)
    if condition is not None:
        qs = qs.filter(condition)
    if owner is not None:
        qs = qs.filter(owner_id=owner.pk)
    if team is not None:
        qs = qs.filter(team__path__startswith=team.path)
    return qs


def _scoped_orders(actor: Any, owner: Any, team: Any) -> QuerySet[Order]:
    qs = counted_orders()
    condition = scope_condition(Order, actor)
    if condition is not None:
        qs = qs.filter(condition)
    if owner is not None:
        qs = qs.filter(owner_id=owner.pk)
    if team is not None:
        qs = qs.filter(customer__team__path__startswith=team.path)
    return qs


@dataclass
class MonthSums:
    revenue: Decimal = Decimal("0.00")
    profit: Decimal = Decimal("0.00")
    orders: int = 0
    customers: int = 0


def _money(value: Any) -> Decimal:
    # SQLite's SUM drops the scale (and may be a float): quantize to cents.
    return Decimal(str(value or 0)).quantize(CENT)


def monthly_sums(
    *, actor: Any, start: dt.date, end: dt.date, owner: Any = None, team: Any = None
) -> dict[dt.date, MonthSums]:
    """Sums per month from `start` to `end` (first days, included) in the actor's
    scope: two queries, the aggregate for past months, the orders for this month."""
    current = month_start(timezone.localdate())
    sums: dict[dt.date, MonthSums] = {}
    if start < current:
        rows = (
            _scoped_months(actor, owner, team)
            .filter(month__gte=start, month__lte=min(end, add_months(current, -1)))
            .values("month")
            .annotate(
                revenue=Sum("revenue"),
                profit=Sum("profit"),
                orders=Sum("orders"),
                customers=Sum("customers"),
            )
            .order_by()
        )
        for row in rows:
            sums[month_start(row["month"])] = MonthSums(
                revenue=_money(row["revenue"]),
                profit=_money(row["profit"]),
                orders=int(row["orders"] or 0),
                customers=int(row["customers"] or 0),
            )
    if start <= current <= end:
        live = (
            _scoped_orders(actor, owner, team)
            .filter(order_date__gte=current, order_date__lt=add_months(current, 1))
            .order_by()
            .aggregate(
                revenue=Sum("total"),
                profit=Sum("profit"),
                orders=Count("id"),
                customers=Count("customer_id", distinct=True),
            )
        )
        sums[current] = MonthSums(
            revenue=_money(live["revenue"]),
            profit=_money(live["profit"]),
            orders=int(live["orders"] or 0),
            customers=int(live["customers"] or 0),
        )
    return sums


def growth(current: Decimal | int, before: Decimal | int) -> float | None:
    """Change against `before` as a percentage (1 decimal); None when before is 0."""
    if not before:
        return None
    return round(float((Decimal(current) - Decimal(before)) / abs(Decimal(before))) * 100, 1)


@dataclass
class TrendMonth:
    month: dt.date
    revenue: Decimal
    profit: Decimal
    orders: int
    customers: int
    last_year_month: dt.date
    revenue_last_year: Decimal
    previous_month: dt.date
    revenue_previous: Decimal
    yoy: float | None
    vs_previous: float | None
    orders_url: str

    @property
    def is_current(self) -> bool:
        return self.month == month_start(timezone.localdate())


@dataclass
class TrendTotals:
    revenue: Decimal
    profit: Decimal
    orders: int
    revenue_last_year: Decimal
    profit_last_year: Decimal
    orders_last_year: int
    revenue_previous: Decimal
    profit_previous: Decimal
    orders_previous: int

    @property
    def yoy(self) -> float | None:
        return growth(self.revenue, self.revenue_last_year)

    @property
    def vs_previous(self) -> float | None:
        return growth(self.revenue, self.revenue_previous)

    @property
    def margin(self) -> float | None:
        if not self.revenue:
            return None
        return round(float(self.profit / self.revenue) * 100, 1)


@dataclass
class SalesTrend:
    period: Period
    previous: Period
    last_year: Period
    months: list[TrendMonth]
    totals: TrendTotals
    owner: Any = None
    team: Any = None
    as_of: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def orders_url(month: dt.date, owner: Any) -> str:
    """The order list filtered to one month (and owner): the trend's drill-down."""
    params: dict[str, Any] = {
        "date_from": month.isoformat(),
        "date_to": (add_months(month, 1) - dt.timedelta(days=1)).isoformat(),
    }
    if owner is not None:
        params["owner"] = owner.pk
    return f"{reverse('sales:order_list')}?{urlencode(params)}"


def data_as_of() -> dt.datetime | None:
    """When SalesMonth was last refreshed (None: never; the report shows only live data)."""
    state = ReportRefresh.objects.filter(name=SALES_MONTH).first()
    return state.refreshed_at if state is not None else None


def sales_trend(*, actor: Any, filters: ReportFilter) -> SalesTrend:
    """Revenue, profit, orders and buying customers per month of the period, beside
    the same months a year earlier and the period just before (as long)."""
    require_reports(actor)
    period, owner, team = resolve_filter(actor=actor, filters=filters)
    length = len(period.months)
    previous = period.shifted(-length)
    last_year = period.shifted(-12)
    start = min(previous.start, last_year.start)
    sums = monthly_sums(actor=actor, start=start, end=period.end, owner=owner, team=team)
    empty = MonthSums()
    months: list[TrendMonth] = []
    for month in period.months:
        this = sums.get(month, empty)
        ly_month = add_months(month, -12)
        prev_month = add_months(month, -length)
        ly = sums.get(ly_month, empty)
        prev = sums.get(prev_month, empty)
        months.append(
            TrendMonth(
                month=month,
                revenue=this.revenue,
                profit=this.profit,
                orders=this.orders,
                customers=this.customers,
                last_year_month=ly_month,
                revenue_last_year=ly.revenue,
                previous_month=prev_month,
                revenue_previous=prev.revenue,
                yoy=growth(this.revenue, ly.revenue),
                vs_previous=growth(this.revenue, prev.revenue),
                orders_url=orders_url(month, owner),
            )
        )

    def total(which: Period, name: str) -> Any:
        return sum(
            (getattr(sums.get(m, empty), name) for m in which.months),
            start=type(getattr(empty, name))(),
        )

    totals = TrendTotals(
        revenue=total(period, "revenue"),
        profit=total(period, "profit"),
        orders=total(period, "orders"),
        revenue_last_year=total(last_year, "revenue"),
        profit_last_year=total(last_year, "profit"),
        orders_last_year=total(last_year, "orders"),
        revenue_previous=total(previous, "revenue"),
        profit_previous=total(previous, "profit"),
        orders_previous=total(previous, "orders"),
    )
    return SalesTrend(
        period=period,
        previous=previous,
        last_year=last_year,
        months=months,
        totals=totals,
        owner=owner,
        team=team,
        as_of=data_as_of(),
    )


# --- forecast -----------------------------------------------------------------------


@dataclass
class ForecastMonth:
    month: dt.date
    forecast: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    weighted_pipeline: Decimal
    actual_so_far: Decimal | None  # the current month's orders until today


@dataclass
class SalesForecast:
    history: list[tuple[dt.date, Decimal]]
    months: list[ForecastMonth]
    result: forecasting.RevenueForecast
    has_pipeline: bool
    owner: Any = None
    team: Any = None
    as_of: dt.datetime | None = None

    def _sum(self, name: str, months: int) -> Decimal | None:
        values = [getattr(m, name) for m in self.months[:months]]
        if any(v is None for v in values):
            return None
        return sum(values, start=Decimal("0.00"))

    @property
    def next3(self) -> Decimal | None:
        return self._sum("forecast", 3)

    @property
    def next6(self) -> Decimal | None:
        return self._sum("forecast", 6)

    @property
    def pipeline3(self) -> Decimal | None:
        return self._sum("weighted_pipeline", 3)

    @property
    def pipeline6(self) -> Decimal | None:
        return self._sum("weighted_pipeline", 6)

    @property
    def mape_percent(self) -> float | None:
        backtest = self.result.backtest
        return forecasting.percent(backtest.mape) if backtest else None

    @property
    def mae(self) -> Decimal | None:
        backtest = self.result.backtest
        return _money(backtest.mae) if backtest else None


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def sales_forecast(*, actor: Any, filters: ReportFilter) -> SalesForecast:
    """The next FORECAST_HORIZON months from the current one: Holt-Winters on the
    complete months before it (forecast.py) and the open pipeline weighted by stage
    probability, by expected close month (overdue deals count in the current month).

    The period filter is not used: the model reads all history (up to 6 years).
    """
    require_reports(actor)
    _period, owner, team = resolve_filter(
        actor=actor, filters=ReportFilter(owner=filters.owner, team=filters.team)
    )
    current = month_start(timezone.localdate())
    last_complete = add_months(current, -1)
    first_month = (
        _scoped_months(actor, owner, team)
        .filter(month__lte=last_complete, month__gte=add_months(current, -FORECAST_HISTORY_MONTHS))
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    sums = monthly_sums(
        actor=actor,
        start=month_start(first_month) if first_month else current,
        end=current,
        owner=owner,
        team=team,
    )
    history: list[tuple[dt.date, Decimal]] = []
    if first_month is not None:
        month = month_start(first_month)
        while month <= last_complete:
            history.append((month, sums.get(month, MonthSums()).revenue))
            month = add_months(month, 1)
    result = forecasting.forecast_revenue(
        [float(value) for _month, value in history], FORECAST_HORIZON
    )
    from guanxi.reports.funnel import weighted_pipeline

    pipeline = weighted_pipeline(
        actor=actor, start=current, months=FORECAST_HORIZON, owner=owner, team=team
    )
    months = []
    for index in range(FORECAST_HORIZON):
        month = add_months(current, index)
        months.append(
            ForecastMonth(
                month=month,
                forecast=_decimal(result.values[index]) if result.has_forecast else None,
                lower=_decimal(result.lower[index]) if result.has_forecast else None,
                upper=_decimal(result.upper[index]) if result.has_forecast else None,
                weighted_pipeline=(pipeline or {}).get(month, Decimal("0.00")),
                actual_so_far=sums.get(current, MonthSums()).revenue if month == current else None,
            )
        )
    return SalesForecast(
        history=history,
        months=months,
        result=result,
        has_pipeline=pipeline is not None,
        owner=owner,
        team=team,
        as_of=data_as_of(),
    )


# --- filter choices -----------------------------------------------------------------


def filter_choices(*, actor: Any) -> tuple[list[Any], list[Any]]:
    """(owners, teams) worth offering in the filter bar: a rep with "own" scope sees
    only themselves; team scopes their team (and sub-teams); "all" everyone."""
    from guanxi.platform.scoping import is_own_scope, people_scope, team_scope

    if is_own_scope(actor):
        return [actor], []
    users = user_list(actor=actor).filter(people_scope(actor))
    return list(users), list(team_list(actor=actor).filter(team_scope(actor)))
