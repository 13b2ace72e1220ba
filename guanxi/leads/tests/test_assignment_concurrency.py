"""Round-robin under concurrent creations (PostgreSQL: real row locks)."""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection

from guanxi.leads import services
from guanxi.leads.models import Lead

THREADS = 6
LEADS_EACH = 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_take_turns(org: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row lock matters on PostgreSQL")
    services.assignment_rule_save(
        actor=org.admin,
        team=org.east,
        method="round_robin",
        members=[org.east_rep.pk, org.east_rep2.pk],
    )
    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def create(worker: int) -> None:
        try:
            barrier.wait(timeout=10)
            for number in range(LEADS_EACH):
                services.lead_create(
                    actor=org.manager, name=f"并发{worker}-{number}", team=org.east
                )
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    owners = list(Lead.objects.order_by("id").values_list("owner_id", flat=True))
    assert len(owners) == THREADS * LEADS_EACH
    # The pointer advanced under the lock: strictly alternating, never twice in a row.
    assert all(a != b for a, b in itertools.pairwise(owners))
    assert owners.count(org.east_rep.pk) == owners.count(org.east_rep2.pk)
