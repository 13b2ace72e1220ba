"""API schemas of the dashboards, KPIs and the drill-down list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class DashboardFilter(Schema):
    view: str | None = None
    preset: str | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    team: int | None = None


class ChartFilter(Schema):
    preset: str | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    team: int | None = None


class CustomerListFilter(Schema):
    view: str | None = None
    team: int | None = None
    grade: str | None = None
    stage: str | None = None
    r: int | None = None
    f: int | None = None
    at_risk: bool | None = None
    moved_from: str | None = None
    moved_to: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    after: int | None = None
    limit: int = 50


class KpiPeriodOut(Schema):
    kind: str
    start: dt.date
    end: dt.date


class KpiOut(Schema):
    code: str
    label: str
    unit: str
    value: int | float | Decimal | None
    previous: int | float | Decimal | None
    last_year: int | float | Decimal | None
    vs_previous_percent: float | None
    vs_last_year_percent: float | None
    definition: str
    is_available: bool


class KpisOut(Schema):
    view: str
    team: int | None
    period: KpiPeriodOut
    previous_period: KpiPeriodOut
    last_year_period: KpiPeriodOut
    kpis: list[KpiOut]
    customers_by_stage: dict[str, list[int | None]]
    customers_by_grade: dict[str, list[int | None]]
    notes: list[str]
    data_as_of: dt.datetime | None


class CountOut(Schema):
    key: str
    customers: int
    url: str


class RfmCellOut(Schema):
    r: int
    f: int
    customers: int
    url: str


class FlowOut(Schema):
    from_stage: str
    to_stage: str
    changes: int
    url: str


class ChurnRowOut(Schema):
    customer: int
    customer_name: str
    value_at_risk: Decimal
    win_back_started_at: dt.datetime | None


class TopRowOut(Schema):
    customer: int
    customer_name: str
    clv_12m: Decimal | None
    monetary: Decimal


class TrendMonthOut(Schema):
    month: dt.date
    revenue: Decimal
    profit: Decimal
    orders: int
    orders_url: str


class DashboardOut(Schema):
    view: str
    team: int | None
    period: KpiPeriodOut
    kpis: list[KpiOut]
    grades: list[CountOut]
    stages: list[CountOut]
    rfm: list[RfmCellOut]
    flow: list[FlowOut]
    churn_risks: list[ChurnRowOut]
    churn_warnings: int
    value_at_risk: Decimal
    top_customers: list[TopRowOut]
    sales_trend: list[TrendMonthOut] | None
    data_as_of: dt.datetime | None


class DrillCustomerOut(Schema):
    id: int
    name: str
    owner: int | None
    grade: str
    lifecycle_stage: str
    r_score: int | None
    f_score: int | None
    m_score: int | None
    clv_12m: Decimal | None
    url: str


class DrillPageOut(Schema):
    items: list[DrillCustomerOut]
    next_after: int | None
