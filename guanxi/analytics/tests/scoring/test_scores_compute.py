"""The scoring run on tiny hand-made data, including the issue's bad-input cases."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from guanxi.analytics.models import CustomerScore, GradeChange, ScoringRun, StageChange
from guanxi.analytics.scoring import churn_reason_text, note_texts, scores_compute
from guanxi.customers.models import Customer
from guanxi.customers.tests.factories import CustomerFactory
from guanxi.platform.models import AuditEntry
from guanxi.sales.models import Order, OrderStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
_numbers = count(1)


def order(customer: Customer, day: datetime.date, total: str, **fields: Any) -> Order:
    amount = Decimal(total)
    return Order.objects.create(
        number=f"T{next(_numbers):06d}",
        customer=customer,
        order_date=day,
        total=amount,
        profit=fields.pop("profit", amount / 4),
        **fields,
    )


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def score_of(customer: Customer) -> CustomerScore:
    return CustomerScore.objects.get(customer=customer)


def test_no_orders_at_all_scores_prospects_and_reports_the_fit_cannot_run() -> None:
    customers = CustomerFactory.create_batch(3)

    result = scores_compute(today=TODAY)

    assert result.customers == 3
    assert result.fit_error  # too little data: rule signals only
    assert result.notes["customers_without_orders"] == 3
    for customer in customers:
        score = score_of(customer)
        assert score.recency_days is None
        assert (score.rfm_score, score.p_alive, score.clv_12m) == (0, None, None)
        assert not score.is_at_risk
        customer.refresh_from_db()
        assert customer.lifecycle_stage == "prospect"
        assert customer.grade == "D"  # the default catch-all rule


def test_refunds_future_dates_zero_value_and_same_day_orders() -> None:
    customer = CustomerFactory()
    order(customer, days_ago(100), "1000.00")
    order(customer, days_ago(100), "500.00")  # same day: one purchase of 1,500
    order(customer, days_ago(50), "0.00")  # zero value: still a purchase
    order(customer, days_ago(20), "-300.00")  # credit note alone on its day: a refund day
    order(customer, days_ago(10), "800.00", status=OrderStatus.REFUNDED)  # counts as nothing
    order(customer, days_ago(5), "900.00", status=OrderStatus.CANCELLED)
    order(customer, TODAY + datetime.timedelta(days=3), "999.00")  # future: ignored

    result = scores_compute(today=TODAY)

    score = score_of(customer)
    assert score.purchases == 2
    assert score.frequency == 2
    assert score.monetary == Decimal("1200.00")  # 1,500 + 0 − 300
    assert score.recency_days == 50
    assert score.first_purchase_on == days_ago(100)
    assert score.last_purchase_on == days_ago(50)
    assert result.notes["future_orders_ignored"] == 1
    assert result.notes["refunded_orders_ignored"] == 1
    assert result.notes["refund_days"] == 1
    assert result.notes["zero_value_days"] == 1
    with translation.override("en"):
        assert any("future" in text for text in note_texts(result.notes))


def test_all_orders_on_one_day_and_a_single_order() -> None:
    one_day = CustomerFactory()
    for _index in range(4):
        order(one_day, days_ago(30), "250.00")
    single = CustomerFactory()
    order(single, days_ago(400), "80.00")

    result = scores_compute(today=TODAY)

    assert score_of(one_day).purchases == 1
    assert score_of(one_day).monetary == Decimal("1000.00")
    assert score_of(single).frequency == 0  # outside the 365-day period
    assert score_of(single).recency_days == 400
    assert result.notes["one_purchase_customers"] == 2
    one_day.refresh_from_db()
    single.refresh_from_db()
    assert one_day.lifecycle_stage == "new"
    assert single.lifecycle_stage == "lost"


def test_rfm_quintiles_rank_within_the_company() -> None:
    customers = CustomerFactory.create_batch(5)
    for rank, customer in enumerate(customers, start=1):
        for purchase in range(rank):
            order(customer, days_ago(10 * (6 - rank) + purchase * 30), f"{rank * 100}.00")

    scores_compute(today=TODAY)

    worst, best = score_of(customers[0]), score_of(customers[-1])
    assert (worst.f_score, worst.m_score) == (1, 1)
    assert (best.f_score, best.m_score) == (5, 5)
    assert best.r_score == 5 and best.rfm_score == 15


def test_grade_change_is_stored_with_its_reason_and_audited() -> None:
    customer = CustomerFactory()
    order(customer, days_ago(40), "5000.00")
    scores_compute(today=TODAY)
    customer.refresh_from_db()
    assert customer.grade == "C"
    version = customer.version

    order(customer, days_ago(5), "46000.00")
    result = scores_compute(today=TODAY)

    customer.refresh_from_db()
    assert customer.grade == "A"
    assert customer.version == version + 1
    change = GradeChange.objects.filter(customer=customer).first()
    assert (change.from_grade, change.to_grade) == ("C", "A")
    assert "spend over ¥50,000 in 365 days" in change.reason
    assert result.grade_changes == 1
    assert AuditEntry.objects.filter(
        action="analytics.customer.graded", object_id=str(customer.pk)
    ).exists()
    assert StageChange.objects.filter(customer=customer, to_stage="new").exists()


def _synthetic_history(rng: random.Random, customers: list[Customer]) -> None:
    """Purchases as BG/NBD and Gamma-Gamma assume: each customer buys at their own
    rate, may drop out after each purchase with their own probability, and has their
    own mean spend."""
    rows = []
    for customer in customers:
        day = rng.randint(200, 700)
        mean_gap = rng.gammavariate(2.0, 40.0)
        drop = rng.betavariate(1.0, 3.0)
        mean_spend = rng.gammavariate(4.0, 60.0)
        while day > 0:
            rows.append(
                Order(
                    number=f"S{next(_numbers):06d}",
                    customer=customer,
                    order_date=days_ago(day),
                    total=Decimal(f"{rng.gammavariate(6.0, mean_spend / 6):.2f}"),
                    profit=Decimal(10),
                )
            )
            if rng.random() < drop:
                break
            day -= max(1, int(rng.expovariate(1 / mean_gap)))
    Order.objects.bulk_create(rows)


def test_fit_gives_p_alive_clv_and_churn_warnings() -> None:
    rng = random.Random(7)
    customers = CustomerFactory.create_batch(80)
    _synthetic_history(rng, customers)
    slipping = CustomerFactory()
    for day in range(100, 460, 30):  # monthly for a year, nothing in the last 100 days
        order(slipping, days_ago(day), "2000.00")

    result = scores_compute(today=TODAY)

    assert not result.fit_error, result.fit_error
    assert set(result.fit["bgnbd"]) >= {"r", "alpha", "a", "b"}
    score = score_of(slipping)
    assert score.p_alive is not None and 0 <= score.p_alive <= 1
    assert score.expected_purchases_365 is not None
    assert score.clv_12m is not None, result.fit
    assert score.is_at_risk
    codes = {reason["code"] for reason in score.churn_reasons}
    assert {"frequency_down", "amount_down"} <= codes
    assert score.value_at_risk >= Decimal("20000")
    with translation.override("en"):
        texts = [churn_reason_text(reason) for reason in score.churn_reasons]
    assert any("Purchases down 100%" in text for text in texts)
    run = ScoringRun.objects.get(pk=result.run_id)
    assert run.finished_at is not None and run.customers == 81


def test_incremental_run_rescores_only_changed_customers() -> None:
    quiet, busy = CustomerFactory.create_batch(2)
    order(quiet, days_ago(30), "100.00")
    order(busy, days_ago(30), "100.00")
    scores_compute(today=TODAY)
    before = score_of(quiet).computed_at

    order(busy, days_ago(2), "5000.00")
    with CaptureQueriesContext(connection) as captured:
        result = scores_compute(today=TODAY, incremental=True)

    # Finding the changed rows reads them unordered: an ORDER BY order_date made
    # SQLite fetch all 10,000,000 orders through the date index (45 s an hour).
    finds = [q["sql"] for q in captured.captured_queries if '"updated_at" >' in q["sql"]]
    assert len(finds) == 3 and not any("ORDER BY" in sql for sql in finds), finds
    assert result.mode == "incremental"
    assert result.customers == 1
    assert score_of(quiet).computed_at == before
    assert score_of(busy).purchases == 2
    assert score_of(busy).m_score > score_of(quiet).m_score


def test_deleted_customers_are_not_scored() -> None:
    kept, deleted = CustomerFactory.create_batch(2)
    order(deleted, days_ago(3), "100.00")
    Customer.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())

    result = scores_compute(today=TODAY)

    assert result.customers == 1
    assert not CustomerScore.objects.filter(customer=deleted).exists()
    assert CustomerScore.objects.filter(customer=kept).exists()


def test_churn_reason_texts_are_the_json_of_the_reason_dicts() -> None:
    import json

    import numpy as np

    from guanxi.analytics.scoring import _ChurnReasons

    recent = np.array([0.0, 1.0, 2.5, 1234.4])
    expected = np.array([3.2, 3.0, 10.0, 98765.5])
    p_alive = np.array([np.nan, 0.125, 0.5, 0.0049])
    reasons = _ChurnReasons(
        window=90,
        drops=[
            ("frequency_down", np.array([True, True, False, True]), recent, expected, False),
            ("amount_down", np.array([False, True, True, True]), recent, expected, True),
        ],
        low_p_alive=np.array([False, True, False, True]),
        p_alive=p_alive,
        threshold=0.3,
    )

    texts = reasons.json_texts(1, 4)

    assert sorted(texts) == [0, 1, 2]
    assert json.loads(texts[0]) == [
        {"code": "frequency_down", "percent": 67, "recent": "1", "expected": "3", "days": 90},
        {"code": "amount_down", "percent": 67, "recent": "1", "expected": "3", "days": 90},
        {"code": "low_p_alive", "p_alive": 12, "threshold": 30},
    ]
    assert json.loads(texts[1])[0]["expected"] == "10"
    assert json.loads(texts[2])[1] == {
        "code": "amount_down",
        "percent": 99,
        "recent": "1,234",
        "expected": "98,766",
        "days": 90,
    }
    assert texts[2] == json.dumps(json.loads(texts[2]))
