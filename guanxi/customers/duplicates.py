"""The duplicate finder: likely duplicate customers and contacts, ranked, stored as pairs.

Customers. The finder never compares every customer with every other one; it puts
customers into blocks that share a key and pairs only inside small blocks:
 - every normalised phone and every e-mail (lower-cased);
 - the name folded (full/half width, case, spaces) and its pinyin, so 张三, 張三
   and "Zhang San" share a key (pypinyin reads traditional characters too);
 - the company "core": the name without legal-form and trade suffixes
   (有限公司, 股份有限公司, 集团, 科技, Co., Ltd. …), as pinyin;
 - CJK bigrams of the core, for similar (not equal) company names, compared with
   difflib over the cores' syllables.
Blocks larger than a cap are skipped: a phone shared by 500 customers is a
switchboard, not a duplicate, and 王芳 on 30 records are 30 people.

Contacts. Same phone or e-mail anywhere (a person at two customers often means
the customers are duplicates), and the same name or name pinyin at the same
customer. Only contacts of one customer can be merged (see docs/decisions.md).

Where the time goes at 1,000,000 customers (docs/benchmarks.md): one scan per
table through a plain cursor (JSON lists split as text, not decoded); phones and
e-mails keyed in dicts that keep one id per key until a second record shows up;
names keyed once per *distinct* name (names repeat a lot); similar company names
compared once per distinct core; the cyclic GC paused; pairs written with
executemany (SQLite) or COPY (PostgreSQL). Each record keeps at most
MAX_PAIRS_PER_RECORD pairs, its best ones.

A run replaces the open pairs in the actor's scope (writing only the difference)
and leaves dismissed and merged pairs alone (a dismissed pair stays dismissed).
"""

from __future__ import annotations

import difflib
import gc
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import (
    Contact,
    ContactDuplicatePair,
    ContactMerge,
    Customer,
    CustomerMerge,
    DuplicatePair,
    DuplicatePairStatus,
    Interaction,
)
from guanxi.customers.services._common import require_permission
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound
from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job
from guanxi.platform.permissions import has_permission
from guanxi.platform.scoping import permission_code, scope_condition, scope_spec, scoped
from guanxi.platform.services import job_start
from guanxi.platform.text import fold_width, is_cjk, pinyin_of

FIND_JOB_KIND = "customers.find_duplicates"
PAIR_NOT_FOUND = _("This duplicate pair does not exist or you cannot see it.")

SAME_PHONE = "same_phone"
SAME_EMAIL = "same_email"
SAME_NAME = "same_name"
SAME_NAME_PINYIN = "same_name_pinyin"
SAME_COMPANY = "same_company"
SIMILAR_COMPANY = "similar_company"
SAME_CUSTOMER = "same_customer"

REASON_LABELS = {
    SAME_PHONE: _("Same phone number"),
    SAME_EMAIL: _("Same e-mail"),
    SAME_NAME: _("Same name"),
    SAME_NAME_PINYIN: _("Same name in pinyin"),
    SAME_COMPANY: _("Same company name without suffixes"),
    SIMILAR_COMPANY: _("Similar company name"),
    SAME_CUSTOMER: _("Same customer"),
}
REASON_WEIGHTS = {
    SAME_PHONE: 60,
    SAME_EMAIL: 50,
    SAME_NAME: 45,
    SAME_NAME_PINYIN: 35,
    SAME_COMPANY: 40,
    SIMILAR_COMPANY: 25,
    SAME_CUSTOMER: 15,
}
# A name match implies the weaker matches on the same name; count only the strongest.
IMPLIED = {
    SAME_NAME: {SAME_NAME_PINYIN, SAME_COMPANY, SIMILAR_COMPANY},
    SAME_NAME_PINYIN: {SAME_COMPANY, SIMILAR_COMPANY},
    SAME_COMPANY: {SIMILAR_COMPANY},
}
# Bit per reason, so a pair's reasons are one int while the finder runs.
_REASON_ORDER = [
    SAME_PHONE,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_PINYIN,
    SAME_COMPANY,
    SIMILAR_COMPANY,
    SAME_CUSTOMER,
]
BIT = {code: 1 << index for index, code in enumerate(_REASON_ORDER)}

# How many records may share one key before the key is noise rather than evidence.
BLOCK_LIMITS = {
    SAME_PHONE: 50,
    SAME_EMAIL: 50,
    SAME_NAME: 8,
    SAME_NAME_PINYIN: 8,
    SAME_COMPANY: 8,
}
MAX_SIMILAR_BLOCK = 20
SIMILARITY_THRESHOLD = 0.85
MIN_CORE_LENGTH = 2
# A record in a 50-strong phone block would otherwise get 49 pairs; nobody reviews
# them all, and the best few lead to the rest once merged.
MAX_PAIRS_PER_RECORD = 10
PROGRESS_EVERY = 10_000
FETCH_SIZE = 10_000
INSERT_BATCH = 10_000
DELETE_BATCH = 900  # ids per DELETE … IN (…): under SQLite's old 999-parameter limit
SQLITE_WRITE_CACHE_KIB = -262_144  # 256 MB while writing pairs
_ID_SHIFT = 32  # pair code = low id << 32 | high id

# Longest first; stripped repeatedly from the end of the folded name.
_CJK_SUFFIXES = sorted(
    [
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "分公司",
        "总公司",
        "公司",
        "集团",
        "控股",
        "科技",
        "技术",
        "信息",
        "网络",
        "贸易",
        "实业",
        "发展",
        "工作室",
        "商行",
        "门市部",
        "经营部",
        "厂",
    ],
    key=len,
    reverse=True,
)
_LATIN_SUFFIXES = {
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "plc",
    "gmbh",
    "group",
    "holdings",
    "technology",
    "technologies",
    "tech",
}
_PUNCTUATION = re.compile(r"[\s\.,;:'\"()\[\]（）【】·&\-_/]+")


def fold_name(name: str) -> str:
    """Full/half width folded, lower-cased, without spaces and punctuation."""
    return _PUNCTUATION.sub("", fold_width(name or "").lower())


_pinyin_cache: dict[str, str] = {}


def _char_pinyin(char: str) -> str:
    spelled = _pinyin_cache.get(char)
    if spelled is None:
        spelled = _pinyin_cache[char] = pinyin_of(char) if is_cjk(char) else char
    return spelled


def spell(text: str) -> str:
    """Pinyin character by character (cached): 張三 and 张三 -> "zhangsan".

    Ignores the context a phrase gives a polyphone, but the same characters always
    spell the same, which is all an equality key needs, and it is ~100x faster.
    """
    cache = _pinyin_cache
    return "".join([cache[char] if char in cache else _char_pinyin(char) for char in text])


_SUFFIX_ALTERNATIVES = "|".join(map(re.escape, _CJK_SUFFIXES))
_CJK_SUFFIX_TAIL = re.compile(rf"^(.+?)(?:{_SUFFIX_ALTERNATIVES})+$")


def company_core(name: str) -> str:
    """The distinctive part of a company name: 杭州云栖科技有限公司 -> 杭州云栖."""
    return _core_of(fold_width(name or "").lower())


_CJK_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _core_of(folded: str) -> str:
    """company_core of a name already width-folded and lower-cased."""
    if folded.isascii() or any("a" <= char <= "z" for char in folded):
        words = _PUNCTUATION.sub(" ", folded).split()
        while words and words[-1] in _LATIN_SUFFIXES:
            words.pop()
        core = "".join(words)
    else:
        core = _PUNCTUATION.sub("", folded)
    match = _CJK_SUFFIX_TAIL.match(core)
    return match.group(1) if match else core


@dataclass(frozen=True)
class NameKeys:
    """Everything the finder derives from one distinct name (computed once per name)."""

    folded: str
    spelled: str
    core_pinyin: str  # "" when the core is too short to mean anything
    core_syllables: tuple[str, ...]  # () unless the core has >= 4 CJK characters
    similar_keys: tuple[str, ...]


def name_keys(name: str) -> NameKeys:
    lowered = fold_width(name or "").lower()
    folded = _PUNCTUATION.sub("", lowered)
    spelled = spell(folded) if folded else ""
    core = _core_of(lowered)
    if len(core) < MIN_CORE_LENGTH:
        return NameKeys(folded, spelled, "", (), ())
    # A bare name (杭州云栖) is its own core, so it meets 杭州云栖科技有限公司.
    core_pinyin = spelled if core == folded else spell(core)
    cjk = _CJK_CHARS.findall(core)
    if len(cjk) < 4:
        return NameKeys(folded, spelled, core_pinyin, (), ())
    # Similar names are compared only when they start alike (the same city or
    # brand): 济南远航 and 宁波远航 are different companies. Compared syllable by
    # syllable: short sequences, and 栖/溪 are equal.
    prefix = cjk[0] + cjk[1]
    similar = tuple(prefix + cjk[index] + cjk[index + 1] for index in range(2, len(cjk) - 1))
    syllables = tuple([_pinyin_cache[char] for char in core])
    return NameKeys(folded, spelled, core_pinyin, syllables, similar)


# --- scoring ------------------------------------------------------------------


@dataclass
class FinderResult:
    customers: int = 0
    pairs: int = 0
    scored: list[tuple[int, int, int, list[str]]] = field(default_factory=list)
    contacts: int = 0
    contact_pairs: int = 0
    contact_scored: list[tuple[int, int, int, list[str]]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase, for bench/
    writes: dict[str, dict[str, int]] = field(default_factory=dict)  # rows touched


ProgressCallback = Callable[[int, str], None]


class PairCollector:
    """Reason bits per candidate pair (pair code -> bit mask)."""

    def __init__(self) -> None:
        self.reasons: dict[int, int] = {}

    def add_block(self, reason: str, ids: Iterable[int], extra: int = 0) -> None:
        """Every pair inside one block gets `reason` (and `extra` bits)."""
        unique = sorted(set(ids))
        if len(unique) < 2 or len(unique) > BLOCK_LIMITS[reason]:
            return
        self.add_pairs(combinations(unique, 2), BIT[reason] | extra)

    def add_pairs(self, pairs: Iterable[tuple[int, int]], bits: int) -> None:
        reasons = self.reasons
        for first, second in pairs:
            code = (
                (first << _ID_SHIFT) | second if first < second else (second << _ID_SHIFT) | first
            )
            reasons[code] = reasons.get(code, 0) | bits

    def scored(
        self, limit_per_record: int = MAX_PAIRS_PER_RECORD
    ) -> list[tuple[int, int, int, list[str]]]:
        """(low id, high id, score, reason codes), best first, at most `limit_per_record`
        pairs per record (the best ones; equal scores by lower ids)."""
        by_mask: dict[int, list[int]] = defaultdict(list)
        for code, mask in self.reasons.items():
            by_mask[mask].append(code)
        ranked = sorted(
            ((_score(mask), mask, codes) for mask, codes in by_mask.items()),
            key=lambda item: -item[0][0],
        )
        kept: list[tuple[int, int, int, list[str]]] = []
        counts: dict[int, int] = defaultdict(int)
        low_mask = (1 << _ID_SHIFT) - 1
        for (score, reason_codes), _mask, codes in ranked:
            codes.sort()
            for code in codes:
                first, second = code >> _ID_SHIFT, code & low_mask
                if counts[first] >= limit_per_record or counts[second] >= limit_per_record:
                    continue
                counts[first] += 1
                counts[second] += 1
                kept.append((first, second, score, reason_codes))
        return kept


_score_cache: dict[int, tuple[int, list[str]]] = {}


def _score(mask: int) -> tuple[int, list[str]]:
    cached = _score_cache.get(mask)
    if cached is None:
        found = {code for code in _REASON_ORDER if mask & BIT[code]}
        for reason in list(found):
            found -= IMPLIED.get(reason, set())
        codes = sorted(found, key=lambda code: -REASON_WEIGHTS[code])
        cached = _score_cache[mask] = (min(100, sum(REASON_WEIGHTS[c] for c in codes)), codes)
    return cached


def _collect_name_blocks(groups: dict[str, list[int]], collector: PairCollector) -> None:
    """Name, pinyin, company-core and similar-company pairs from {raw name: ids}."""
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    units: dict[str, list[int]] = defaultdict(list)  # core pinyin -> ids
    syllables: dict[str, tuple[str, ...]] = {}
    similar_blocks: dict[str, set[str]] = defaultdict(set)  # bigram key -> core pinyins
    name_limit = BLOCK_LIMITS[SAME_NAME]
    for name, ids in groups.items():
        keys = name_keys(name)
        if keys.folded and len(ids) <= name_limit:
            by_key[(SAME_NAME, keys.folded)] += ids
            by_key[(SAME_NAME_PINYIN, keys.spelled)] += ids
        if not keys.core_pinyin:
            continue
        units[keys.core_pinyin] += ids
        if keys.core_syllables:
            syllables.setdefault(keys.core_pinyin, keys.core_syllables)
            for key in keys.similar_keys:
                similar_blocks[key].add(keys.core_pinyin)
    for (reason, _key), ids in by_key.items():
        collector.add_block(reason, ids)
    for ids in units.values():
        collector.add_block(SAME_COMPANY, ids)

    compared: set[tuple[str, str]] = set()
    similar_bit = BIT[SIMILAR_COMPANY]
    for cores in similar_blocks.values():
        if len(cores) < 2 or sum(len(units[core]) for core in cores) > MAX_SIMILAR_BLOCK:
            continue
        for first, second in combinations(sorted(cores), 2):
            if (first, second) in compared:
                continue
            compared.add((first, second))
            matcher = difflib.SequenceMatcher(None, syllables[first], syllables[second])
            if (
                matcher.real_quick_ratio() >= SIMILARITY_THRESHOLD
                and matcher.quick_ratio() >= SIMILARITY_THRESHOLD
                and matcher.ratio() >= SIMILARITY_THRESHOLD
            ):
                collector.add_pairs(
                    ((a, b) for a in units[first] for b in units[second] if a != b), similar_bit
                )


def _values(value: Any) -> list[Any] | tuple[()]:
    """A JSON list column as a list, cheaply: the database hands it over as text
    ('["+8613812345678", "+8613900001111"]'); only text with escapes is decoded."""
    if not value or value == "[]":
        return ()
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        if value[:2] == '["' and value[-2:] == '"]' and "\\" not in value:
            return value[2:-2].split('", "')
        value = json.loads(value)
    return value if isinstance(value, list) else [value]


class _Blocks:
    """Records per key, cheaply: most keys (phones, e-mails) belong to one record,
    so only the first record is kept per key and a list starts at the second."""

    def __init__(self) -> None:
        self.first: dict[Any, int] = {}
        self.more: dict[Any, list[int]] = defaultdict(list)

    def blocks(self) -> Iterator[list[int]]:
        first = self.first
        for key, rest in self.more.items():
            yield [first[key], *rest]


def _paused_gc(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run `fn` without the cyclic garbage collector: the finder allocates millions of
    small lists and tuples (none cyclic), and full collections over them cost more
    than the work itself at a million records."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    return wrapper


@_paused_gc
def find_duplicate_pairs(
    rows: Iterable[tuple[int, str, Any, Any]],
    *,
    progress: ProgressCallback | None = None,
) -> FinderResult:
    """Score candidate customer pairs from (id, name, phones, emails) rows.

    Pure Python over one stream (phones and e-mails as lists or JSON text), no
    queries of its own: `duplicates_find` feeds it one scan of the table.
    """
    phones, emails = _Blocks(), _Blocks()
    phone_first, phone_more = phones.first.setdefault, phones.more
    email_first, email_more = emails.first.setdefault, emails.more
    groups: dict[str, list[int]] = defaultdict(list)
    count = 0
    for customer_id, name, phone_values, email_values in rows:
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY, "")
        # _values inlined for the common case (one value, no escapes): 2M calls saved.
        if (
            phone_values.__class__ is str
            and phone_values[:2] == '["'
            and '", "' not in phone_values
            and "\\" not in phone_values
        ):
            phone = phone_values[2:-2]
            if phone_first(phone, customer_id) != customer_id:
                phone_more[phone].append(customer_id)
        else:
            for phone in _values(phone_values):
                if phone_first(phone, customer_id) != customer_id:
                    phone_more[phone].append(customer_id)
        if email_values and email_values != "[]":
            for email in _values(email_values):
                key = email.strip().lower()
                if email_first(key, customer_id) != customer_id:
                    email_more[key].append(customer_id)
        groups[name or ""].append(customer_id)
    if progress is not None:
        progress(count % PROGRESS_EVERY, "")
    collector = PairCollector()
    for ids in phones.blocks():
        collector.add_block(SAME_PHONE, ids)
    for ids in emails.blocks():
        collector.add_block(SAME_EMAIL, ids)
    del phones, emails
    _collect_name_blocks(groups, collector)
    del groups
    result = FinderResult(customers=count, scored=collector.scored())
    result.pairs = len(result.scored)
    return result


_LOW32 = (1 << 32) - 1


@_paused_gc
def find_contact_pairs(
    rows: Iterable[tuple[int, int, str, Any, Any]],
) -> tuple[int, list[tuple[int, int, int, list[str]]]]:
    """(contacts seen, scored pairs) from (id, customer id, name, phones, emails) rows.

    Phones and e-mails pair contacts anywhere (a bonus when both are at one
    customer); names only inside one customer, where 王芳 twice is one person.
    Records in the blocks are one int each (contact id << 32 | customer id or
    name index) to keep three million contacts within a few hundred MB.
    """
    phones, emails, names = _Blocks(), _Blocks(), _Blocks()
    phone_first, phone_more = phones.first.setdefault, phones.more
    email_first, email_more = emails.first.setdefault, emails.more
    name_first, name_more = names.first.setdefault, names.more
    name_index: dict[str, tuple[int, int] | None] = {}
    spelled_ids: dict[str, int] = {}
    folded_ids: dict[str, int] = {}
    count = 0
    for contact_id, customer_id, name, phone_values, email_values in rows:
        count += 1
        record = (contact_id << 32) | customer_id
        if (
            phone_values.__class__ is str
            and phone_values[:2] == '["'
            and '", "' not in phone_values
            and "\\" not in phone_values
        ):
            phone = phone_values[2:-2]
            if phone_first(phone, record) != record:
                phone_more[phone].append(record)
        else:
            for phone in _values(phone_values):
                if phone_first(phone, record) != record:
                    phone_more[phone].append(record)
        if email_values and email_values != "[]":
            for email in _values(email_values):
                key = email.strip().lower()
                if email_first(key, record) != record:
                    email_more[key].append(record)
        indexes = name_index.get(name, False)
        if indexes is False:
            folded = fold_name(name or "")
            indexes = name_index[name] = (
                (
                    spelled_ids.setdefault(spell(folded), len(spelled_ids)),
                    folded_ids.setdefault(folded, len(folded_ids)),
                )
                if folded
                else None
            )
        if indexes is not None:
            key = (customer_id << 32) | indexes[0]
            named = (contact_id << 32) | indexes[1]
            if name_first(key, named) != named:
                name_more[key].append(named)
    collector = PairCollector()
    same = BIT[SAME_CUSTOMER]
    for reason, blocks in ((SAME_PHONE, phones), (SAME_EMAIL, emails)):
        bit = BIT[reason]
        for records in blocks.blocks():
            unique = sorted(set(records))
            if len(unique) > BLOCK_LIMITS[reason]:
                continue
            for first, second in combinations(unique, 2):
                bits = bit | same if first & _LOW32 == second & _LOW32 else bit
                collector.add_pairs([(first >> 32, second >> 32)], bits)
    del phones, emails
    for records in names.blocks():
        collector.add_block(SAME_NAME_PINYIN, [record >> 32 for record in records], extra=same)
        by_folded: dict[int, list[int]] = defaultdict(list)
        for record in records:
            by_folded[record & _LOW32].append(record >> 32)
        for ids in by_folded.values():
            collector.add_block(SAME_NAME, ids, extra=same)
    return count, collector.scored()


# --- reading the database -------------------------------------------------------


def _live_customers(actor: Any) -> QuerySet[Customer]:
    """The customers a run looks at: the actor's scope, or every live one (CLI, actor None)."""
    if actor is None:
        return Customer.objects.filter(deleted_at__isnull=True)
    return scoped(Customer.objects.all(), actor=actor, action="view")


def _live_contacts(actor: Any) -> QuerySet[Contact]:
    if actor is None:
        return Contact.objects.filter(deleted_at__isnull=True, customer__deleted_at__isnull=True)
    return scoped(Contact.objects.all(), actor=actor, action="view")


def finder_customer_count(*, actor: Any) -> int:
    """How many customers a run will look at (the progress bar's total)."""
    return _live_customers(actor).count()


def _stream(qs: QuerySet[Any], *fields: str) -> Iterator[tuple[Any, ...]]:
    """One scan of `fields` through a plain cursor: no model instances and no JSON
    decoding (SQLite hands JSON columns over as text; `_values` splits them)."""
    sql, params = qs.order_by().values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(FETCH_SIZE):
            yield from batch


# --- writing pairs --------------------------------------------------------------


def _insert_pairs(model: type[models.Model], columns: tuple[str, str], scored: list[Any]) -> None:
    """Bulk insert, leaving a pair that already exists (dismissed or merged) as it is.

    Plain SQL because bulk_create spends ~100 µs per row building model instances.
    SQLite: one prepared INSERT … ON CONFLICT DO NOTHING through executemany.
    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT.
    """
    if not scored:
        return
    table = model._meta.db_table
    first_column, second_column = columns
    found_at = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for first, second, score, codes in scored:
            yield (first, second, score, _reasons_json(codes), "open", found_at)

    names = f"{first_column}, {second_column}, score, reasons, status, found_at"
    # In (low id, high id) order the unique index grows at its end instead of taking
    # random page splits all over a million-entry tree.
    scored = sorted(scored)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS guanxi_pair_load "
                "(a bigint, b bigint, score smallint, reasons jsonb, status varchar(20), "
                "found_at timestamptz) ON COMMIT DROP"
            )
            with cursor.cursor.copy(
                "COPY guanxi_pair_load (a, b, score, reasons, status, found_at) FROM STDIN"
            ) as copy:
                for row in rows():
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT a, b, score, reasons, status, found_at "
                f"FROM guanxi_pair_load ON CONFLICT ({first_column}, {second_column}) DO NOTHING"
            )
            cursor.execute("DROP TABLE guanxi_pair_load")
            return
        stamp = connection.ops.adapt_datetimefield_value(found_at)
        sql = (
            f"INSERT INTO {table} ({names}) VALUES (%s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT ({first_column}, {second_column}) DO NOTHING"
        )
        # A bigger page cache while the indexes take a million entries (the setting is
        # per connection; put back afterwards).
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {SQLITE_WRITE_CACHE_KIB}")
        try:
            batch: list[tuple[Any, ...]] = []
            for row in rows():
                batch.append((*row[:5], stamp))
                if len(batch) >= INSERT_BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


_reasons_text: dict[tuple[str, ...], str] = {}


def _reasons_json(codes: list[str]) -> str:
    key = tuple(codes)
    text = _reasons_text.get(key)
    if text is None:
        text = _reasons_text[key] = json.dumps(codes)
    return text


def _sync_pairs(
    model: type[models.Model],
    columns: tuple[str, str],
    open_pairs: QuerySet[Any],
    scored: list[tuple[int, int, int, list[str]]],
) -> dict[str, int]:
    """Make the open pairs in `open_pairs` equal to `scored`, writing only the difference.

    A re-run over unchanged data writes nothing (the first run inserts everything):
    deleting and re-inserting a million pairs costs more than finding them. A pair
    keeps its `found_at` while it stays open. Returns how many rows each step touched.
    """
    table = model._meta.db_table
    first_field, second_field = (column.removesuffix("_id") for column in columns)
    existing: dict[int, tuple[int, int, str]] = {}
    for pk, first, second, score, reasons in _stream(
        open_pairs, "id", first_field, second_field, "score", "reasons"
    ):
        text = reasons if isinstance(reasons, str) else json.dumps(reasons)
        existing[(first << _ID_SHIFT) | second] = (pk, score, text)
    fresh: list[tuple[int, int, int, list[str]]] = []
    changed: list[tuple[int, str, int]] = []
    for row in scored:
        first, second, score, codes = row
        old = existing.pop((first << _ID_SHIFT) | second, None)
        if old is None:
            fresh.append(row)
        elif old[1] != score or old[2] != _reasons_json(codes):
            changed.append((score, _reasons_json(codes), old[0]))
    stale = sorted(pk for pk, _score, _text in existing.values())
    del existing
    is_postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(stale), DELETE_BATCH):
            ids = stale[start : start + DELETE_BATCH]
            if is_postgresql:
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])
            else:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", ids)
        if changed:
            cast = "::jsonb" if is_postgresql else ""
            cursor.executemany(
                f"UPDATE {table} SET score = %s, reasons = %s{cast} WHERE id = %s", changed
            )
    _insert_pairs(model, columns, fresh)
    return {"deleted": len(stale), "updated": len(changed), "inserted": len(fresh)}


def _both_in_scope(
    qs: QuerySet[Any],
    actor: Any,
    model: type[models.Model],
    sides: tuple[str, str],
    action: str = "view",
) -> QuerySet[Any]:
    """Pairs whose two records are both in the actor's scope for `action`.

    The scope is `scoped()`'s own condition (`scope_condition`, deleted paths and
    permission check), re-rooted onto each side of the pair, so the database joins
    the two records instead of materialising the actor's whole scope as an
    `IN (subquery)` per page (seconds at a million customers).
    """
    if actor is None:
        return qs
    if (
        not getattr(actor, "is_authenticated", False)
        or not actor.is_active
        or not has_permission(actor, permission_code(model, action))
    ):
        return qs.none()
    spec = scope_spec(model)
    condition = scope_condition(model, actor)
    for side in sides:
        qs = qs.filter(**{f"{side}__{path}__isnull": True for path in spec.deleted_paths})
        if condition is not None:
            qs = qs.filter(_reroot(condition, f"{side}__"))
    return qs


def _reroot(condition: Q, prefix: str) -> Q:
    children = [
        _reroot(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in condition.children
    ]
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


def _scope_pairs(
    qs: QuerySet[DuplicatePair], actor: Any, action: str = "view"
) -> QuerySet[DuplicatePair]:
    return _both_in_scope(qs, actor, Customer, ("customer_a", "customer_b"), action)


def _scope_contact_pairs(
    qs: QuerySet[ContactDuplicatePair], actor: Any, action: str = "view"
) -> QuerySet[ContactDuplicatePair]:
    return _both_in_scope(qs, actor, Contact, ("contact_a", "contact_b"), action)


def duplicates_find(
    *, actor: Any, progress: ProgressCallback | None = None, contacts: bool = True
) -> FinderResult:
    """Run the finder over the actor's customers and their contacts (all live ones
    when actor is None).

    Replaces the open pairs among those records (writing only what changed);
    dismissed and merged pairs stay. Both kinds are written in one transaction: a
    run never leaves half its pairs.
    """
    if actor is not None:
        require_permission(actor, "customers.change_customer")
    started, cpu_started = time.perf_counter(), time.process_time()
    result = find_duplicate_pairs(
        _stream(_live_customers(actor), "id", "name", "phones", "emails"), progress=progress
    )
    result.seconds["customers"] = time.perf_counter() - started
    result.seconds["customers_cpu"] = time.process_time() - cpu_started
    if contacts:
        started, cpu_started = time.perf_counter(), time.process_time()
        result.contacts, result.contact_scored = find_contact_pairs(
            _stream(_live_contacts(actor), "id", "customer_id", "name", "phones", "emails")
        )
        result.contact_pairs = len(result.contact_scored)
        result.seconds["contacts"] = time.perf_counter() - started
        result.seconds["contacts_cpu"] = time.process_time() - cpu_started
    started, cpu_started = time.perf_counter(), time.process_time()
    with transaction.atomic():
        result.writes["customers"] = _sync_pairs(
            DuplicatePair,
            ("customer_a_id", "customer_b_id"),
            _scope_pairs(DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor),
            result.scored,
        )
        if contacts:
            result.writes["contacts"] = _sync_pairs(
                ContactDuplicatePair,
                ("contact_a_id", "contact_b_id"),
                _scope_contact_pairs(
                    ContactDuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor
                ),
                result.contact_scored,
            )
    result.seconds["write"] = time.perf_counter() - started
    result.seconds["write_cpu"] = time.process_time() - cpu_started
    return result


def duplicates_find_start(*, actor: Any) -> Job:
    """Queue a finder run in the actor's scope; progress shows on the job page."""
    require_permission(actor, "customers.change_customer")
    return job_start(
        actor=actor, kind=FIND_JOB_KIND, title=str(_("Find duplicate customers and contacts"))
    )


def _run_find_job(context: JobContext) -> dict[str, Any]:
    actor = context.job.created_by
    if actor is None:
        return {"pairs": 0, "customers": 0, "contact_pairs": 0, "contacts": 0}
    context.set_total(finder_customer_count(actor=actor))

    def progress(count: int, message: str) -> None:
        context.advance(count, message=message)

    result = duplicates_find(actor=actor, progress=progress)
    message = str(
        _(
            "%(pairs)s likely duplicate pairs among %(customers)s customers, "
            "%(contact_pairs)s among %(contacts)s contacts."
        )
    ) % {
        "pairs": result.pairs,
        "customers": result.customers,
        "contact_pairs": result.contact_pairs,
        "contacts": result.contacts,
    }
    # Not context.advance: the pairs are committed, a late cancel must not hide them.
    Job.objects.filter(pk=context.job.pk).update(message=message[:500])
    return {
        "pairs": result.pairs,
        "customers": result.customers,
        "contact_pairs": result.contact_pairs,
        "contacts": result.contacts,
    }


register_job_handler(FIND_JOB_KIND, _run_find_job)


# --- reading and dismissing pairs --------------------------------------------


def duplicate_pair_list(*, actor: Any) -> QuerySet[DuplicatePair]:
    """Open pairs whose two customers the actor can both see, best first."""
    qs = DuplicatePair.objects.filter(
        status=DuplicatePairStatus.OPEN,
        customer_a__deleted_at__isnull=True,
        customer_b__deleted_at__isnull=True,
    )
    return (
        _scope_pairs(qs, actor)
        .select_related("customer_a", "customer_b", "customer_a__owner", "customer_b__owner")
        .order_by("-score", "id")
    )


def duplicate_pair_get(*, actor: Any, pair_id: Any, action: str = "view") -> DuplicatePair:
    """One open pair with both customers in the actor's scope for `action`; else NotFound."""
    try:
        pk = int(pair_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(PAIR_NOT_FOUND)) from error
    qs = DuplicatePair.objects.filter(pk=pk, status=DuplicatePairStatus.OPEN)
    pair = _scope_pairs(qs, actor, action).select_related("customer_a", "customer_b").first()
    if pair is None:
        raise NotFound(str(PAIR_NOT_FOUND))
    return pair


@transaction.atomic
def duplicate_pair_dismiss(*, actor: Any, pair: DuplicatePair) -> DuplicatePair:
    """Mark a pair "not a duplicate"; later finder runs leave it dismissed."""
    current = duplicate_pair_get(actor=actor, pair_id=pair.pk, action="change")
    current.status = DuplicatePairStatus.DISMISSED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="customers.duplicate.dismissed",
        instance=current,
        changes={"customers": [current.customer_a_id, current.customer_b_id]},
    )
    return current


def customer_merge_recent_list(*, actor: Any, limit: int = 10) -> list[CustomerMerge]:
    """The actor's own merges that can still be undone, newest first."""
    return list(
        CustomerMerge.objects.filter(actor_id=actor.pk, undone_at__isnull=True)
        .select_related("survivor", "other")
        .order_by("-id")[:limit]
    )


def live_contact_count(customer: Customer) -> int:
    return Contact.objects.filter(customer=customer, deleted_at__isnull=True).count()


# --- contact pairs ---------------------------------------------------------------

CONTACT_PAIR_NOT_FOUND = _("This duplicate contact pair does not exist or you cannot see it.")


def contact_pair_list(*, actor: Any) -> QuerySet[ContactDuplicatePair]:
    """Open contact pairs whose two contacts (and their customers) the actor can see."""
    qs = ContactDuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN)
    return (
        _scope_contact_pairs(qs, actor)
        .select_related("contact_a__customer", "contact_b__customer")
        .order_by("-score", "id")
    )


def contact_pair_get(*, actor: Any, pair_id: Any, action: str = "view") -> ContactDuplicatePair:
    """One open contact pair with both contacts in the actor's scope for `action`."""
    try:
        pk = int(pair_id)
    except (TypeError, ValueError) as error:
        raise NotFound(str(CONTACT_PAIR_NOT_FOUND)) from error
    qs = ContactDuplicatePair.objects.filter(pk=pk, status=DuplicatePairStatus.OPEN)
    pair = (
        _scope_contact_pairs(qs, actor, action=action)
        .select_related("contact_a__customer", "contact_b__customer")
        .first()
    )
    if pair is None:
        raise NotFound(str(CONTACT_PAIR_NOT_FOUND))
    return pair


@transaction.atomic
def contact_pair_dismiss(*, actor: Any, pair: ContactDuplicatePair) -> ContactDuplicatePair:
    """Mark two contacts "not the same person"; later finder runs leave the pair dismissed."""
    require_permission(actor, "customers.change_contact")
    current = contact_pair_get(actor=actor, pair_id=pair.pk, action="change")
    current.status = DuplicatePairStatus.DISMISSED
    current.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="customers.contact_duplicate.dismissed",
        instance=current,
        changes={"contacts": [current.contact_a_id, current.contact_b_id]},
    )
    return current


def contact_merge_recent_list(*, actor: Any, limit: int = 10) -> list[ContactMerge]:
    """The actor's own contact merges that can still be undone, newest first."""
    return list(
        ContactMerge.objects.filter(actor_id=actor.pk, undone_at__isnull=True)
        .select_related("survivor", "other")
        .order_by("-id")[:limit]
    )


def live_interaction_count(contact: Contact) -> int:
    """Follow-ups naming this contact (what a contact merge moves), for the merge screen."""
    return Interaction.objects.filter(contact=contact, deleted_at__isnull=True).count()
