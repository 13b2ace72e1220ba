"""The duplicate finder: which pairs it finds, in whose scope, at what query cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.duplicates import (
    SAME_COMPANY,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_PINYIN,
    SAME_PHONE,
    SIMILAR_COMPANY,
    company_core,
    duplicates_find,
    find_duplicate_pairs,
    fold_name,
    spell,
)
from guanxi.customers.models import DuplicatePair, DuplicatePairStatus
from guanxi.customers.tests.factories import CustomerFactory


def pair_reasons(first, second) -> list[str] | None:
    low, high = sorted([first.pk, second.pk])
    pair = DuplicatePair.objects.filter(customer_a_id=low, customer_b_id=high).first()
    return None if pair is None else pair.reasons


def test_normalisation_helpers() -> None:
    assert company_core("杭州云栖科技有限公司") == "杭州云栖"
    assert company_core("杭州云栖科技") == "杭州云栖"
    assert company_core("上海立信食品集团股份有限公司") == "上海立信食品"
    assert company_core("Acme Technology Co., Ltd.") == "acme"
    assert fold_name("Ｚｈａｎｇ San") == "zhangsan"
    assert spell("张三") == spell("張三") == spell(fold_name("Zhang San")) == "zhangsan"


def test_pure_finder_reasons_and_ranking() -> None:
    rows = [
        (1, "张三", ["+8613812345678"], []),
        (2, "張三", ["+8613812345678"], []),
        (3, "Zhang San", [], []),
        (4, "杭州云栖科技有限公司", [], ["info@yunqi.cn"]),
        (5, "杭州云栖科技", [], []),
        (6, "北京远航物流有限公司", [], ["INFO@yunqi.cn"]),
        (7, "广州远航物流有限公司", [], []),
        (8, "李四", [], []),
    ]
    result = find_duplicate_pairs(rows)
    found = {(a, b): (score, codes) for a, b, score, codes in result.scored}
    assert found[(1, 2)][1] == [SAME_PHONE, SAME_NAME_PINYIN]
    assert found[(1, 3)][1] == [SAME_NAME_PINYIN]
    assert found[(4, 5)][1] == [SAME_COMPANY]
    assert found[(4, 6)][1] == [SAME_EMAIL]
    assert (6, 7) not in found  # same trade name in another city: another company
    assert not any(8 in key for key in found)
    assert found[(1, 2)][0] > found[(1, 3)][0]


def test_similar_company_names() -> None:
    rows = [(1, "杭州云栖网络通讯有限公司", [], []), (2, "杭州云栖网络通信股份有限公司", [], [])]
    result = find_duplicate_pairs(rows)
    assert [(a, b, codes) for a, b, _s, codes in result.scored] == [(1, 2, [SIMILAR_COMPANY])]


def test_common_names_are_noise_not_evidence() -> None:
    rows = [(n, "王芳", [], []) for n in range(1, 30)]
    assert find_duplicate_pairs(rows).scored == []


@pytest.mark.django_db
def test_finds_pairs_in_the_database(org) -> None:
    owner = org.east_rep
    same_phone_a = CustomerFactory(owner=owner, name="甲公司", phones=["13812345678"])
    same_phone_b = CustomerFactory(owner=owner, name="乙商店", phones=["138 1234 5678"])
    same_email_a = CustomerFactory(owner=owner, name="丙工厂", emails=["a@example.com"])
    same_email_b = CustomerFactory(owner=owner, name="丁餐厅", emails=["a@EXAMPLE.com"])
    simplified = CustomerFactory(owner=owner, name="张三丰", kind="individual")
    traditional = CustomerFactory(owner=owner, name="張三豐", kind="individual")
    long_name = CustomerFactory(owner=owner, name="杭州云栖科技有限公司")
    short_name = CustomerFactory(owner=owner, name="杭州云栖科技")
    unrelated = CustomerFactory(owner=owner, name="成都熊猫餐饮管理有限公司")

    result = duplicates_find(actor=org.admin)

    assert result.pairs == 4
    assert pair_reasons(same_phone_a, same_phone_b) == [SAME_PHONE]
    assert pair_reasons(same_email_a, same_email_b) == [SAME_EMAIL]
    assert pair_reasons(simplified, traditional) == [SAME_NAME_PINYIN]
    assert pair_reasons(long_name, short_name) == [SAME_COMPANY]
    assert not DuplicatePair.objects.filter(customer_a=unrelated).exists()
    assert not DuplicatePair.objects.filter(customer_b=unrelated).exists()


@pytest.mark.django_db
def test_same_exact_name(org) -> None:
    first = CustomerFactory(owner=org.east_rep, name="王建国")
    second = CustomerFactory(owner=org.east_rep, name="王建国 ")
    duplicates_find(actor=org.east_rep)
    assert pair_reasons(first, second) == [SAME_NAME]


@pytest.mark.django_db
def test_a_reps_run_never_pairs_another_reps_customers(org) -> None:
    mine = CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    mine_too = CustomerFactory(owner=org.east_rep, name="乙公司", phones=["13812345678"])
    theirs = CustomerFactory(owner=org.west_rep, name="丙公司", phones=["13812345678"])

    duplicates_find(actor=org.east_rep)

    assert pair_reasons(mine, mine_too) == [SAME_PHONE]
    assert pair_reasons(mine, theirs) is None
    assert pair_reasons(mine_too, theirs) is None


@pytest.mark.django_db
def test_a_rerun_keeps_dismissed_pairs_dismissed(org) -> None:
    first = CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    CustomerFactory(owner=org.east_rep, name="乙公司", phones=["13812345678"])
    duplicates_find(actor=org.admin)
    DuplicatePair.objects.filter(customer_a=first).update(status=DuplicatePairStatus.DISMISSED)
    duplicates_find(actor=org.admin)
    assert list(DuplicatePair.objects.values_list("status", flat=True)) == ["dismissed"]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_customers(org) -> None:
    def queries_for_run() -> int:
        with CaptureQueriesContext(connection) as captured:
            duplicates_find(actor=org.east_rep)
        return len(captured)

    for n in range(3):
        CustomerFactory(owner=org.east_rep, name=f"公司{n}", phones=[f"1381234567{n}"])
    few = queries_for_run()
    for n in range(3, 30):
        CustomerFactory(owner=org.east_rep, name=f"商店{n}", phones=[f"138123456{n:02d}"])
    many = queries_for_run()
    assert many == few


@pytest.mark.django_db
def test_a_rerun_writes_only_what_changed(org) -> None:
    from guanxi.customers.services import customer_update

    first = CustomerFactory(owner=org.east_rep, name="甲公司", phones=["13812345678"])
    second = CustomerFactory(owner=org.east_rep, name="乙商店", phones=["13812345678"])
    third = CustomerFactory(owner=org.east_rep, name="丙工厂", emails=["a@example.com"])
    fourth = CustomerFactory(owner=org.east_rep, name="丁餐厅", emails=["a@example.com"])
    result = duplicates_find(actor=org.admin)
    assert result.writes["customers"] == {"deleted": 0, "updated": 0, "inserted": 2}
    kept = DuplicatePair.objects.get(customer_a=first)
    found_at = kept.found_at

    again = duplicates_find(actor=org.admin)
    assert again.writes["customers"] == {"deleted": 0, "updated": 0, "inserted": 0}

    customer_update(actor=org.east_rep, customer=fourth, expected_version=None, emails=[])
    customer_update(actor=org.east_rep, customer=second, expected_version=None, name="甲公司")
    changed = duplicates_find(actor=org.admin)
    assert changed.writes["customers"] == {"deleted": 1, "updated": 1, "inserted": 0}
    kept.refresh_from_db()
    assert kept.found_at == found_at and kept.reasons == [SAME_PHONE, SAME_NAME]
    assert pair_reasons(third, fourth) is None
