"""Contact pairs: same phone / e-mail anywhere, same name (or pinyin) at one customer;
scoping of runs and of the pair selectors."""

from __future__ import annotations

import pytest

from guanxi.customers.duplicates import (
    SAME_CUSTOMER,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_PINYIN,
    SAME_PHONE,
    contact_pair_get,
    contact_pair_list,
    duplicates_find,
    find_contact_pairs,
)
from guanxi.customers.models import ContactDuplicatePair, DuplicatePairStatus
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.platform.exceptions import NotFound


def contact_reasons(first, second) -> list[str] | None:
    low, high = sorted([first.pk, second.pk])
    pair = ContactDuplicatePair.objects.filter(contact_a_id=low, contact_b_id=high).first()
    return None if pair is None else pair.reasons


def test_pure_contact_finder() -> None:
    rows = [
        (1, 100, "王芳", ["+8613812345678"], []),
        (2, 100, "王 芳", [], []),  # same name at the same customer
        (3, 100, "汪芳", [], ["wf@example.com"]),  # same pinyin at the same customer
        (4, 200, "王芳", ["+8613812345678"], []),  # same phone at another customer
        (5, 300, "李四", [], ["WF@example.com"]),  # same e-mail at another customer
        (6, 400, "汪芳", [], []),  # same pinyin at another customer: not evidence
    ]
    _count, scored = find_contact_pairs(rows)
    found = {(a, b): (score, codes) for a, b, score, codes in scored}
    assert found[(1, 2)][1] == [SAME_NAME, SAME_CUSTOMER]
    assert found[(1, 3)][1] == [SAME_NAME_PINYIN, SAME_CUSTOMER]
    assert found[(1, 4)][1] == [SAME_PHONE]
    assert found[(3, 5)][1] == [SAME_EMAIL]
    assert not any(6 in key for key in found)
    assert found[(1, 2)][0] > found[(1, 3)][0]
    assert found[(1, 2)][0] > found[(3, 5)][0]


def test_pairs_per_record_are_capped() -> None:
    rows = [(n, n, f"客户{n}", ["+8613800000000"], []) for n in range(1, 41)]
    _count, found = find_contact_pairs(rows)
    per_record: dict[int, int] = {}
    for first, second, _score, _codes in found:
        per_record[first] = per_record.get(first, 0) + 1
        per_record[second] = per_record.get(second, 0) + 1
    assert found and max(per_record.values()) <= 10


@pytest.mark.django_db
def test_finds_contact_pairs_in_the_database(org) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="杭州云栖科技")
    other_customer = CustomerFactory(owner=org.east_rep, name="成都熊猫餐饮")
    first = ContactFactory(customer=customer, name="陈建国", phones=["13812345678"])
    same_name = ContactFactory(customer=customer, name="陈建国")
    traditional = ContactFactory(customer=customer, name="陳建國")
    elsewhere = ContactFactory(customer=other_customer, name="林乙", phones=["138 1234 5678"])
    namesake = ContactFactory(customer=other_customer, name="陈建国")

    result = duplicates_find(actor=org.admin)

    assert contact_reasons(first, same_name) == [SAME_NAME, SAME_CUSTOMER]
    assert contact_reasons(first, traditional) == [SAME_NAME_PINYIN, SAME_CUSTOMER]
    assert contact_reasons(first, elsewhere) == [SAME_PHONE]
    assert contact_reasons(first, namesake) is None
    assert result.contacts == 5
    assert result.contact_pairs == ContactDuplicatePair.objects.count() == 4


@pytest.mark.django_db
def test_deleted_contacts_and_customers_are_left_out(org) -> None:
    from guanxi.customers.services import contact_delete, customer_delete

    customer = CustomerFactory(owner=org.east_rep, name="甲")
    gone_customer = CustomerFactory(owner=org.east_rep, name="乙")
    keep = ContactFactory(customer=customer, name="张三", phones=["13812345678"])
    deleted = ContactFactory(customer=customer, name="张三")
    orphan = ContactFactory(customer=gone_customer, name="李四", phones=["13812345678"])
    contact_delete(actor=org.east_rep, contact=deleted)
    customer_delete(actor=org.east_rep, customer=gone_customer)
    duplicates_find(actor=org.admin)
    assert contact_reasons(keep, deleted) is None
    assert contact_reasons(keep, orphan) is None


@pytest.mark.django_db
def test_a_reps_run_and_list_stay_in_scope(org) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="甲公司")
    theirs = CustomerFactory(owner=org.west_rep, name="乙公司")
    mine_a = ContactFactory(customer=mine, name="张三", phones=["13812345678"])
    mine_b = ContactFactory(customer=mine, name="张三")
    theirs_a = ContactFactory(customer=theirs, name="李四", phones=["13812345678"])
    theirs_b = ContactFactory(customer=theirs, name="李四")

    duplicates_find(actor=org.east_rep)
    assert contact_reasons(mine_a, mine_b) is not None
    assert contact_reasons(mine_a, theirs_a) is None  # the other rep's contact is unseen
    assert contact_reasons(theirs_a, theirs_b) is None

    duplicates_find(actor=org.admin)
    cross = ContactDuplicatePair.objects.get(contact_a=mine_a, contact_b=theirs_a)
    theirs_pair = ContactDuplicatePair.objects.get(contact_a=theirs_a, contact_b=theirs_b)
    visible = {pair.pk for pair in contact_pair_list(actor=org.east_rep)}
    assert cross.pk not in visible and theirs_pair.pk not in visible
    assert len(visible) == 1
    for pair in (cross, theirs_pair):
        with pytest.raises(NotFound):
            contact_pair_get(actor=org.east_rep, pair_id=pair.pk)
    assert {pair.pk for pair in contact_pair_list(actor=org.admin)} >= {cross.pk, theirs_pair.pk}


@pytest.mark.django_db
def test_a_rerun_keeps_dismissed_contact_pairs(org) -> None:
    customer = CustomerFactory(owner=org.east_rep, name="甲公司")
    ContactFactory(customer=customer, name="张三")
    ContactFactory(customer=customer, name="张三")
    duplicates_find(actor=org.east_rep)
    ContactDuplicatePair.objects.update(status=DuplicatePairStatus.DISMISSED)
    duplicates_find(actor=org.east_rep)
    assert list(ContactDuplicatePair.objects.values_list("status", flat=True)) == ["dismissed"]
