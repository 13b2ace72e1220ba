"""The nightly scoring's covering index on orders exists on PostgreSQL (migration 0005)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_scoring_reads_live_orders_from_a_covering_index_on_postgresql() -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name = %s",
                ["order_customer_day_totals"],
            )
            assert cursor.fetchone() is None  # SQLite has no INCLUDE: no index there
            return
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["order_customer_day_totals"]
        )
        (definition,) = cursor.fetchone()
    assert "(customer_id, order_date) INCLUDE (total, profit, status)" in definition
    assert "WHERE (deleted_at IS NULL)" in definition
