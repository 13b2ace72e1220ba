from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Schema


class ChurnReasonOut(Schema):
    code: str
    text: str


class CustomerScoreOut(Schema):
    customer: int
    customer_name: str
    grade: str
    lifecycle_stage: str
    recency_days: int | None
    frequency: int
    monetary: Decimal
    profit: Decimal
    r_score: int
    f_score: int
    m_score: int
    rfm_score: int
    p_alive: float | None
    expected_purchases_90: float | None
    expected_purchases_365: float | None
    clv_12m: Decimal | None
    is_at_risk: bool
    value_at_risk: Decimal
    churn_reasons: list[ChurnReasonOut]
    computed_at: datetime.datetime


class ChurnListOut(Schema):
    count: int
    items: list[CustomerScoreOut]


class WinBackIn(Schema):
    customer: int


class WinBackOut(Schema):
    id: int
    customer: int
    task: int | None
    started_at: datetime.datetime
