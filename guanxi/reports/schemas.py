"""REST API schemas for the sales reports (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id, InSchema


class ReportFilter(Schema):
    date_from: ApiDate | None = Field(
        None, description="First day of the period (its month counts whole)."
    )
    date_to: ApiDate | None = Field(None, description="Last day of the period (default: today).")
    owner: Id | None = Field(None, description="Order owner (trend) / opportunity owner (funnel).")
    team: Id | None = Field(None, description="Team, sub-teams included.")


class FunnelFilter(ReportFilter):
    pipeline: Id | None = Field(None, description="Default: the default pipeline.")


class ForecastFilter(Schema):
    owner: Id | None = None
    team: Id | None = None


class PeriodOut(Schema):
    start: dt.date
    end: dt.date


class TrendMonthOut(Schema):
    month: dt.date
    revenue: Decimal
    profit: Decimal
    orders: int
    customers: int
    last_year_month: dt.date
    revenue_last_year: Decimal
    previous_month: dt.date
    revenue_previous: Decimal
    yoy_percent: float | None
    vs_previous_percent: float | None
    orders_url: str


class TrendTotalsOut(Schema):
    revenue: Decimal
    profit: Decimal
    orders: int
    revenue_last_year: Decimal
    profit_last_year: Decimal
    orders_last_year: int
    revenue_previous: Decimal
    profit_previous: Decimal
    orders_previous: int
    yoy_percent: float | None
    vs_previous_percent: float | None
    margin_percent: float | None


class SalesTrendOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    last_year_period: PeriodOut
    months: list[TrendMonthOut]
    totals: TrendTotalsOut
    data_as_of: dt.datetime | None


class FunnelStepOut(Schema):
    stage: int
    name: str
    probability: int
    kind: str
    count: int
    amount: Decimal
    conversion_percent: float | None
    of_first_percent: float | None


class FunnelOwnerOut(Schema):
    owner: int | None
    owner_name: str
    created: int
    amount: Decimal
    won: int
    won_amount: Decimal
    lost: int
    open: int
    win_rate_percent: float | None


class SalesFunnelOut(Schema):
    period: PeriodOut
    pipeline: int | None
    pipeline_name: str | None
    steps: list[FunnelStepOut]
    created: int
    won: int
    won_amount: Decimal
    lost: int
    lost_amount: Decimal
    win_rate_percent: float | None
    owners: list[FunnelOwnerOut]


class HistoryMonthOut(Schema):
    month: dt.date
    revenue: Decimal


class ForecastMonthOut(Schema):
    month: dt.date
    forecast: Decimal | None
    lower: Decimal | None
    upper: Decimal | None
    weighted_pipeline: Decimal | None
    actual_so_far: Decimal | None


class BacktestOut(Schema):
    months: int
    method: str
    mape_percent: float | None
    mae: Decimal
    actual: list[Decimal]
    predicted: list[Decimal]


class SalesForecastOut(Schema):
    method: str | None = Field(
        description="holt_winters, holt, simple, mean; null: not enough history."
    )
    history_months: int
    history: list[HistoryMonthOut]
    months: list[ForecastMonthOut]
    next_3_months: Decimal | None
    next_6_months: Decimal | None
    weighted_pipeline_3_months: Decimal | None
    weighted_pipeline_6_months: Decimal | None
    backtest: BacktestOut | None
    interval_level: float
    data_as_of: dt.datetime | None


# --- report builder -------------------------------------------------------------------
Dimension = Literal[
    "owner", "team", "region", "industry", "source", "tag", "grade", "stage", "product", "month"
]
Measure = Literal[
    "customers", "orders", "revenue", "profit", "clv_total", "clv_average", "at_risk",
    "value_at_risk",
]  # fmt: skip
ExportFormat = Literal["xlsx", "csv", "pdf"]


class ReportDefinitionIn(InSchema):
    """What to report: one dimension, measures, optional filters, sort and top N."""

    dimension: Dimension
    measures: list[Measure] = Field(..., min_length=1, max_length=8)
    date_from: ApiDate | None = Field(None, description="Its month counts whole.")
    date_to: ApiDate | None = Field(None, description="Default: this month (12 months in all).")
    owner: Id | None = Field(None, description="The customers' owner.")
    team: Id | None = Field(None, description="The customers' team, sub-teams included.")
    grade: Literal["A", "B", "C", "D"] | None = None
    stage: Literal["prospect", "new", "active", "loyal", "dormant", "lost"] | None = None
    sort: str | None = Field(None, max_length=20, description='"label" or one of the measures.')
    descending: bool = True
    top_n: int | None = Field(None, ge=1, le=100, description="The rest is summed as other.")


class ReportRowOut(Schema):
    key: str | None = Field(description='The group\'s id or value; "__other__" for the rest.')
    label: str
    values: dict[str, Decimal | int | None]
    url: str = Field("", description="Drill-down page (customer or order list), if any.")


class BuilderPeriodOut(Schema):
    """The report's period (whole months). Not `PeriodOut`: OpenAPI component names
    are global, and another app has a schema of that name."""

    start: dt.date
    end: dt.date


class ReportResultOut(Schema):
    definition: dict[str, Any]
    period: BuilderPeriodOut
    rows: list[ReportRowOut]
    totals: dict[str, Decimal | int | None]
    group_count: int
    duration_ms: int


class ReportExportIn(InSchema):
    definition: ReportDefinitionIn
    format: ExportFormat = "xlsx"


class SavedReportIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    definition: ReportDefinitionIn
    is_shared: bool = False


class SavedReportPatchIn(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    definition: ReportDefinitionIn | None = None
    is_shared: bool | None = None
    version: int | None = Field(None, ge=1, description="Or send If-Match.")


class SavedReportOut(Schema):
    id: int
    name: str
    owner: int
    owner_name: str
    is_shared: bool
    is_mine: bool
    definition: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ScheduleIn(InSchema):
    frequency: Literal["weekly", "monthly"] = "weekly"
    weekday: int = Field(0, ge=0, le=6, description="0 = Monday (weekly).")
    day_of_month: int = Field(1, ge=1, le=31, description="Monthly; a short month's last day.")
    format: ExportFormat = "xlsx"
    recipients: list[Id] = Field(..., min_length=1, max_length=50)
    is_active: bool = True


class SchedulePatchIn(InSchema):
    frequency: Literal["weekly", "monthly"] | None = None
    weekday: int | None = Field(None, ge=0, le=6)
    day_of_month: int | None = Field(None, ge=1, le=31)
    format: ExportFormat | None = None
    recipients: list[Id] | None = Field(None, min_length=1, max_length=50)
    is_active: bool | None = None
    version: int | None = Field(None, ge=1)


class ScheduleOut(Schema):
    id: int
    report: int
    frequency: str
    weekday: int
    day_of_month: int
    format: str
    recipients: list[int]
    is_active: bool
    last_sent_period: str
    last_sent_at: dt.datetime | None
    version: int
