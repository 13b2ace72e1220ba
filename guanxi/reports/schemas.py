"""REST API schemas for the sales reports (STYLE.md rule 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from guanxi.customers.schemas import ApiDate
from guanxi.platform.api_support import Id


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
