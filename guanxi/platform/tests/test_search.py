"""Chinese-capable search, on the real database (FTS5 on SQLite, tsvector on PostgreSQL).

The database tests search through `customer_list` / `contact_list`, so they also
prove scoping and soft delete apply to search. The property tests check the
tokenizer and the query side in pure Python (no database), with many examples:
whatever a user may type, the query terms are a subset/prefix of what a
matching record stored, and never anything that could break a MATCH expression.
"""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from guanxi.customers.selectors import ContactFilter, CustomerFilter, contact_list, customer_list
from guanxi.customers.services import customer_delete
from guanxi.customers.tests.factories import ContactFactory, CustomerFactory
from guanxi.platform.search import MAX_QUERY_TERMS, build_search_text, query_terms
from guanxi.platform.text import pinyin_initials_of, pinyin_of

# --- on the database -------------------------------------------------------------


@pytest.fixture
def people(org):
    """A handful of customers whose names exercise every kind of token."""
    rep = org.east_rep
    return {
        "张三": CustomerFactory(
            owner=rep, name="张三", phones=["138 1234 5678"], emails=["Zhang.San@QQ.com"]
        ),
        "张三丰": CustomerFactory(owner=rep, name="张三丰"),
        "欧阳锋": CustomerFactory(owner=rep, name="欧阳锋", short_name="西毒"),
        "Apple": CustomerFactory(owner=rep, name="Apple Trading 苹果贸易", wechat_id="apple_cn"),
        "王五": CustomerFactory(owner=rep, name="王五", phones=["(010) 6552 9988"]),
        "李四": CustomerFactory(owner=org.west_rep, name="李四", phones=["13900001111"]),
    }


def found(actor, query: str, people) -> set[str]:
    pks = set(
        customer_list(actor=actor, filters=CustomerFilter(q=query)).values_list("pk", flat=True)
    )
    return {label for label, customer in people.items() if customer.pk in pks}


CASES = [
    # query                 -> labels an admin finds
    ("张三", {"张三", "张三丰"}),  # a two-character name
    ("张", {"张三", "张三丰"}),  # a single character
    ("三丰", {"张三丰"}),  # any part of a name
    ("张三丰", {"张三丰"}),
    ("欧阳", {"欧阳锋"}),  # a compound surname
    ("西毒", {"欧阳锋"}),  # the short name
    ("zhangsan", {"张三", "张三丰"}),  # full pinyin (and the e-mail)
    ("zhangsanfeng", {"张三丰"}),
    ("zhang", {"张三", "张三丰"}),  # pinyin prefix
    ("ZhangSan", {"张三", "张三丰"}),
    ("zs", {"张三", "张三丰"}),  # initials
    ("zsf", {"张三丰"}),
    ("oyf", {"欧阳锋"}),
    ("ouyang", {"欧阳锋"}),
    ("ｚｓ", {"张三", "张三丰"}),  # full-width input
    ("apple", {"Apple"}),  # Latin words, any case
    ("APPLE trad", {"Apple"}),
    ("苹果", {"Apple"}),
    ("apple_cn", {"Apple"}),  # a WeChat id
    ("zhang.san@", {"张三"}),  # an e-mail prefix
    ("zhang.san@qq.com", {"张三"}),
    ("zhang.san@q", {"张三"}),
    ("zhangsan@", {"张三"}),
    ("@qq.com", {"张三"}),
    ("zhang.sa@", set()),  # a complete local part that is not anyone's
    ("Zhang.San@QQ.COM", {"张三"}),
    ("13812345678", {"张三"}),  # a phone, in any usual format
    ("138 1234 5678", {"张三"}),
    ("+86 138-1234-5678", {"张三"}),
    ("+86-138-1234-5678", {"张三"}),
    ("+8613812345678", {"张三"}),
    ("１３８１２３４５６７８", {"张三"}),
    ("5678", {"张三"}),  # last 4 digits
    ("2345678", {"张三"}),  # last 7 digits
    ("１３８", {"张三"}),  # a phone prefix, full-width
    ("(010) 6552 9988", {"王五"}),  # a landline
    ("010-65529988", {"王五"}),
    ("9988", {"王五"}),
    ("1111", {"李四"}),
    ("李四", {"李四"}),
    ("张三 5678", {"张三"}),  # every term must match
    ("张三 9988", set()),
    ("赵", set()),  # no false positives
    ("zhangsi", set()),
    ("lisan", set()),
    ("xyz", set()),
    ("0000", set()),
    ("qq.com.cn", set()),
    ('"', set()),  # nothing searchable in the query
    ("*", set()),
    ("AND OR NOT", set()),
    ("NEAR(张 三)", set()),
]


@pytest.mark.parametrize(("query", "labels"), CASES)
def test_admin_finds_exactly(people, org, query, labels):
    assert found(org.admin, query, people) == labels


def test_blank_query_is_no_filter(people, org):
    assert found(org.admin, "   ", people) == set(people)


def test_search_respects_scoping(people, org):
    assert found(org.east_rep, "李四", people) == set()
    assert found(org.east_rep, "13900001111", people) == set()
    assert found(org.east_rep, "1111", people) == set()
    assert found(org.west_rep, "张三", people) == set()
    assert found(org.west_rep, "李四", people) == {"李四"}
    assert found(org.manager, "李四", people) == {"李四"}
    assert found(org.service_agent, "zs", people) == {"张三", "张三丰"}


def test_deleted_rows_are_not_found(people, org):
    customer_delete(actor=org.east_rep, customer=people["张三丰"])
    assert found(org.admin, "三丰", people) == set()
    assert found(org.admin, "张三", people) == {"张三"}


def test_updated_names_are_found_by_the_new_name_only(people, org):
    from guanxi.customers.services import customer_update

    customer_update(
        actor=org.east_rep, customer=people["王五"], expected_version=None, name="司马懿"
    )
    assert found(org.admin, "王五", people) == set()
    assert found(org.admin, "司马", people) == {"王五"}
    assert found(org.admin, "smy", people) == {"王五"}


def test_contacts_are_searchable_and_scoped(org):
    mine = ContactFactory(
        customer=CustomerFactory(owner=org.east_rep),
        name="欧阳娜娜",
        phones=["13700002222"],
        emails=["nana@example.com"],
    )
    ContactFactory(customer=CustomerFactory(owner=org.west_rep), name="欧阳修")
    for query in ["欧阳娜娜", "娜娜", "oynn", "ouyangnana", "nana@", "2222", "137 0000 2222"]:
        for actor, expected in [(org.east_rep, {mine.pk}), (org.west_rep, set())]:
            qs = contact_list(actor=actor, filters=ContactFilter(q=query))
            assert set(qs.values_list("pk", flat=True)) == expected, (query, actor)
    both = contact_list(actor=org.admin, filters=ContactFilter(q="欧阳"))
    assert both.count() == 2


# --- the tokenizer and the query side, in pure Python -------------------------------

COMMON_HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
LATIN = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
NAME_PARTS = st.one_of(
    st.text(COMMON_HANZI, min_size=1, max_size=5),
    st.text(LATIN, min_size=1, max_size=8),
    st.sampled_from([" ", "·", "-", "(", ")"]),
)
NAMES = st.lists(NAME_PARTS, min_size=1, max_size=5).map("".join)
SAFE_TOKEN = re.compile(
    r"^(?:[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]+)$"
)


def stored_matches(search_text: str, query: str) -> bool:
    """What the database does with the tokens: every term equals (or prefixes) a token."""
    tokens = search_text.split()
    terms = query_terms(query)
    return bool(terms) and all(
        any(token.startswith(term.token) for token in tokens)
        if term.is_prefix
        else term.token in tokens
        for term in terms
    )


def cjk_runs(name: str) -> list[str]:
    return [run for run in re.split(r"[^\u4e00-\u9fa5]+", name) if run]


@settings(max_examples=500, deadline=None)
@given(NAMES, st.data())
def test_any_one_or_two_characters_of_a_cjk_run_find_the_record(name, data):
    runs = cjk_runs(name)
    assume(runs)
    run = data.draw(st.sampled_from(runs))
    length = data.draw(st.integers(min_value=1, max_value=min(2, len(run))))
    start = data.draw(st.integers(min_value=0, max_value=len(run) - length))
    stored = build_search_text(names=[name])
    assert stored_matches(stored, run[start : start + length])
    assert stored_matches(stored, run)  # the whole run, as bigrams


@settings(max_examples=500, deadline=None)
@given(NAMES, st.data())
def test_pinyin_initials_and_full_pinyin_find_the_record(name, data):
    runs = cjk_runs(name)
    assume(runs)
    run = data.draw(st.sampled_from(runs))
    initials, full = pinyin_initials_of(run), pinyin_of(run)
    assume(initials.isascii() and initials.isalnum() and full.isascii() and full.isalnum())
    stored = build_search_text(names=[name])
    assert stored_matches(stored, initials)
    assert stored_matches(stored, initials.upper())
    assert stored_matches(stored, full)
    assert stored_matches(stored, full[: data.draw(st.integers(1, len(full)))])  # a prefix


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_latin_words_find_the_record_case_insensitively(name):
    words = re.findall(r"[A-Za-z0-9]+", name)
    assume(words)
    stored = build_search_text(names=[name])
    for word in words:
        assert stored_matches(stored, word.upper())
        assert stored_matches(stored, word.lower()[:2])


@settings(max_examples=1000, deadline=None)
@given(st.text())
def test_query_terms_never_raises_and_yields_only_safe_tokens(text):
    terms = query_terms(text)
    assert len(terms) <= MAX_QUERY_TERMS
    for term in terms:
        assert SAFE_TOKEN.match(term.token), term


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_building_search_text_never_raises(text):
    stored = build_search_text(names=[text], words=[text], emails=[text])
    assert '"' not in stored and "\x00" not in stored


# --- the same property against the real index, with a few examples -----------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(COMMON_HANZI, min_size=2, max_size=4), data=st.data())
def test_a_random_name_is_found_by_the_index(org, name, data):
    """Create, search by a random 1–2 character piece and by initials, roll back."""
    start = data.draw(st.integers(min_value=0, max_value=len(name) - 1))
    piece = name[start : start + data.draw(st.integers(min_value=1, max_value=2))]
    with transaction.atomic():
        customer = CustomerFactory(owner=org.east_rep, name=name)
        other = CustomerFactory(owner=org.west_rep, name=name)
        for query in [piece, pinyin_initials_of(name)]:
            mine = customer_list(actor=org.east_rep, filters=CustomerFilter(q=query))
            pks = set(mine.values_list("pk", flat=True))
            assert customer.pk in pks, query
            assert other.pk not in pks, query
        transaction.set_rollback(True)


POLYPHONIC = "重庆长沙行银乐音还了的地得和会都觉藏调便朝着差传大单度发干给更好号几"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list(POLYPHONIC + "张王李赵科技有限公司ABCabc 12-·Ｚｚ")),
        max_size=16,
    )
)
def test_word_by_word_pinyin_equals_pypinyin_on_the_whole_text(value: str) -> None:
    """pinyin_of caches per word; the result must be what pypinyin gives for the text."""
    from pypinyin import Style, lazy_pinyin

    from guanxi.platform.text import is_cjk

    whole = "".join(lazy_pinyin(value, errors=lambda chars: list(chars))).lower()
    assert pinyin_of(value) == whole.replace(" ", "")
    cjk = "".join(c for c in value if is_cjk(c))
    initials = "".join(lazy_pinyin(cjk, style=Style.FIRST_LETTER)).lower() if cjk else ""
    assert pinyin_initials_of(value) == initials
