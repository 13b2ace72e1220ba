"""The finder proper: pure Python over streamed rows, no queries of its own.

Customers. The finder never compares every customer with every other one; it puts
customers into blocks that share a key (see keys.py) and pairs only inside small
blocks: every normalised phone and every e-mail (lower-cased), the folded name and
its pinyin, the company core, and CJK bigrams of the core, for similar company
names compared with difflib over the cores' syllables. Blocks larger than a cap
are skipped: a phone shared by 500 customers is a switchboard, not a duplicate,
and 王芳 on 30 records are 30 people.

Contacts. Same phone or e-mail anywhere (a person at two customers often means
the customers are duplicates), and the same name or name pinyin at the same
customer. Only contacts of one customer can be merged (see docs/decisions.md).

Phones and e-mails are keyed in dicts that keep one id per key until a second
record shows up; names are keyed once per *distinct* name (names repeat a lot);
similar company names are compared once per distinct core; the cyclic GC is
paused. Each record keeps at most MAX_PAIRS_PER_RECORD pairs, its best ones.
"""

from __future__ import annotations

import difflib
import gc
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from guanxi.customers.duplicates.keys import (
    _REASON_ORDER,
    BIT,
    IMPLIED,
    REASON_WEIGHTS,
    SAME_COMPANY,
    SAME_CUSTOMER,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_PINYIN,
    SAME_PHONE,
    SIMILAR_COMPANY,
    fold_name,
    name_keys,
    spell,
)

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
# A record in a 50-strong phone block would otherwise get 49 pairs; nobody reviews
# them all, and the best few lead to the rest once merged.
MAX_PAIRS_PER_RECORD = 10
PROGRESS_EVERY = 10_000
_ID_SHIFT = 32  # pair code = low id << 32 | high id


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
