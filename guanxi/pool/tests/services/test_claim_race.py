"""Two reps claim the same record at the same moment: exactly one wins.

Real threads, each with its own database connection, released together by a
barrier. On PostgreSQL the losing UPDATE waits for the winner's row lock and then
re-checks `owner_id IS NULL` on the committed row. SQLite serialises writers (the
IMMEDIATE transaction), so a race cannot happen there and the test is skipped.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from guanxi.customers.models import Customer
from guanxi.platform.exceptions import ApplicationError
from guanxi.pool.models import PoolEvent
from guanxi.pool.services import AlreadyClaimed, OverLimit, pool_claim
from guanxi.pool.tests.factories import make_pool_customer, make_rule

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite runs one writer at a time (IMMEDIATE transactions): no race to test",
    ),
]


def _race(claims: list[tuple[Any, dict[str, Any]]]) -> list[Any]:
    barrier = threading.Barrier(len(claims))
    outcomes: list[Any] = [None] * len(claims)

    def run(index: int, actor: Any, target: dict[str, Any]) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            outcomes[index] = pool_claim(actor=actor, **target)
        except ApplicationError as error:
            outcomes[index] = error
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=run, args=(index, actor, target))
        for index, (actor, target) in enumerate(claims)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_reps_one_record_exactly_one_wins(org: Any, attempt: int) -> None:
    customer = make_pool_customer(team=org.east)
    outcomes = _race(
        [(org.east_rep, {"customer": customer}), (org.east_rep2, {"customer": customer})]
    )
    winners = [outcome for outcome in outcomes if isinstance(outcome, PoolEvent)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, AlreadyClaimed)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    owner = Customer.objects.select_related("owner").get(pk=customer.pk).owner
    assert owner.pk == winners[0].owner_id
    assert str(owner) in losers[0].message
    assert PoolEvent.objects.filter(customer=customer, kind="claimed").count() == 1


def test_one_rep_two_records_at_the_limit(org: Any) -> None:
    make_rule(team=org.east, max_customers=1)
    first = make_pool_customer(team=org.east)
    second = make_pool_customer(team=org.east)
    outcomes = _race([(org.east_rep, {"customer": first}), (org.east_rep, {"customer": second})])
    assert sum(isinstance(outcome, PoolEvent) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, OverLimit) for outcome in outcomes) == 1, outcomes
    assert Customer.objects.filter(owner=org.east_rep).count() == 1
