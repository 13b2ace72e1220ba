from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from guanxi.contracts.models import ContractSequence
from guanxi.contracts.services import contract_number_next, sequence_update
from guanxi.contracts.services.sequence import (
    PATTERN_NEEDS_SEQ,
    PATTERN_NEEDS_YEAR,
    PATTERN_UNKNOWN_TOKEN,
    format_number,
)
from guanxi.platform.exceptions import PermissionDenied, ValidationError


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("HT-{yyyy}-{seq:05}", 7, "HT-2026-00007"),
        ("{yy}{mm}{seq:3}", 42, "2603042"),
        ("C{seq}", 123456, "C123456"),
        ("合同{yyyy}第{seq:04}号", 9, "合同2026第0009号"),
    ],
)
def test_format_tokens(pattern: str, value: int, expected: str) -> None:
    assert format_number(pattern, day=dt.date(2026, 3, 9), value=value) == expected


@pytest.mark.django_db
def test_numbers_count_up_and_restart_each_year() -> None:
    assert contract_number_next(day=dt.date(2026, 5, 1)) == "HT-2026-00001"
    assert contract_number_next(day=dt.date(2026, 12, 31)) == "HT-2026-00002"
    assert contract_number_next(day=dt.date(2027, 1, 1)) == "HT-2027-00001"


@pytest.mark.django_db
def test_never_reset_keeps_counting(org) -> None:
    sequence_update(actor=org.admin, pattern="C-{seq:06}", reset="never")
    assert contract_number_next(day=dt.date(2026, 5, 1)) == "C-000001"
    assert contract_number_next(day=dt.date(2027, 1, 1)) == "C-000002"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pattern", "reset", "message"),
    [
        ("HT-{yyyy}", "yearly", PATTERN_NEEDS_SEQ),
        ("HT-{seq}-{seq}", "never", PATTERN_NEEDS_SEQ),
        ("HT-{dd}-{seq}", "never", PATTERN_UNKNOWN_TOKEN),
        ("HT-{seq}", "yearly", PATTERN_NEEDS_YEAR),
    ],
)
def test_bad_patterns_are_refused(org, pattern, reset, message) -> None:
    with pytest.raises(ValidationError) as caught:
        sequence_update(actor=org.admin, pattern=pattern, reset=reset)
    assert str(message) in caught.value.field_errors["pattern"]
    with pytest.raises(PermissionDenied):
        sequence_update(actor=org.east_rep, pattern="HT{yyyy}{seq}", reset="yearly")


@pytest.mark.django_db
def test_a_rolled_back_creation_gives_its_number_back() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        contract_number_next(day=dt.date(2026, 1, 1))
        raise RuntimeError
    assert contract_number_next(day=dt.date(2026, 1, 1)) == "HT-2026-00001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbers_are_unique_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are a PostgreSQL test")
    ContractSequence.objects.get_or_create(pk=1)
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            for _round in range(5):
                with transaction.atomic():
                    numbers.append(contract_number_next(day=dt.date(2026, 6, 1)))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert sorted(numbers)[-1] == "HT-2026-00040"
