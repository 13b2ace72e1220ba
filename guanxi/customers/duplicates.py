"""The duplicate finder: likely duplicate customers, ranked, stored as DuplicatePair rows.

One streaming pass over the actor's customers (`values_list(...).iterator()`)
computes blocking keys per customer:
 - every normalised phone and every e-mail (lower-cased);
 - the name folded (full/half width, case, spaces) and its pinyin, so 张三, 張三
   and "Zhang San" share a key (pypinyin reads traditional characters too, so no
   separate traditional→simplified table is needed for the pinyin key);
 - the company "core": the name without legal-form and trade suffixes
   (有限公司, 股份有限公司, 集团, 科技, Co., Ltd. …), as pinyin;
 - CJK bigrams of the core, for similar (not equal) company names.
Customers sharing a key are candidates; only those are compared (difflib ratio
over the core's pinyin for the bigram blocks), so the work is near-linear in the
number of customers. Blocks larger than a cap are skipped: a phone shared by 500
customers is a switchboard, not a duplicate, and a bigram like 杭州 says nothing.

Pairs are written in bulk; a run replaces the open pairs in the actor's scope
and leaves dismissed and merged pairs alone (a dismissed pair stays dismissed).
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerMerge,
    DuplicatePair,
    DuplicatePairStatus,
)
from guanxi.customers.services._common import require_permission
from guanxi.platform.audit import audit_record
from guanxi.platform.exceptions import NotFound
from guanxi.platform.jobs import JobContext, register_job_handler
from guanxi.platform.models import Job
from guanxi.platform.scoping import scoped
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

REASON_LABELS = {
    SAME_PHONE: _("Same phone number"),
    SAME_EMAIL: _("Same e-mail"),
    SAME_NAME: _("Same name"),
    SAME_NAME_PINYIN: _("Same name in pinyin"),
    SAME_COMPANY: _("Same company name without suffixes"),
    SIMILAR_COMPANY: _("Similar company name"),
}
REASON_WEIGHTS = {
    SAME_PHONE: 60,
    SAME_EMAIL: 50,
    SAME_NAME: 45,
    SAME_NAME_PINYIN: 35,
    SAME_COMPANY: 40,
    SIMILAR_COMPANY: 25,
}
# A name match implies the weaker matches on the same name; count only the strongest.
IMPLIED = {
    SAME_NAME: {SAME_NAME_PINYIN, SAME_COMPANY, SIMILAR_COMPANY},
    SAME_NAME_PINYIN: {SAME_COMPANY, SIMILAR_COMPANY},
    SAME_COMPANY: {SIMILAR_COMPANY},
}

# How many customers may share one key before the key is noise rather than evidence:
# a phone on 500 records is a switchboard, 王芳 on 30 records are 30 people.
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
PROGRESS_EVERY = 10_000
INSERT_BATCH = 1_000  # rows per INSERT: 6,000 parameters, under SQLite's limit

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


@dataclass
class FinderResult:
    customers: int = 0
    pairs: int = 0
    scored: list[tuple[int, int, int, list[str]]] = field(default_factory=list)


ProgressCallback = Callable[[int, str], None]


def _customer_rows(actor: Any) -> QuerySet[Any]:
    """The customers a run looks at: the actor's scope, or every live one (CLI, actor None)."""
    if actor is None:
        qs = Customer.objects.filter(deleted_at__isnull=True)
    else:
        qs = scoped(Customer.objects.all(), actor=actor, action="view")
    return qs.order_by().values_list("id", "name", "phones", "emails")


def finder_customer_count(*, actor: Any) -> int:
    """How many customers a run will look at (the progress bar's total)."""
    return _customer_rows(actor).count()


def find_duplicate_pairs(
    rows: Iterable[tuple[int, str, Any, Any]],
    *,
    progress: ProgressCallback | None = None,
) -> FinderResult:
    """Score candidate pairs from (id, name, phones, emails) rows.

    Pure Python over a stream: no queries of its own, so it can be tested and
    timed without a database.
    """
    exact_blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    similar_blocks: dict[str, list[int]] = defaultdict(list)
    cores: dict[int, tuple[str, ...]] = {}
    count = 0
    for customer_id, name, phones, emails in rows:
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY, "")
        for phone in phones or ():
            exact_blocks[(SAME_PHONE, str(phone))].append(customer_id)
        for email in emails or ():
            exact_blocks[(SAME_EMAIL, str(email).strip().lower())].append(customer_id)
        lowered = fold_width(name or "").lower()
        folded = _PUNCTUATION.sub("", lowered)
        if folded:
            exact_blocks[(SAME_NAME, folded)].append(customer_id)
            spelled = spell(folded)
            exact_blocks[(SAME_NAME_PINYIN, spelled)].append(customer_id)
        core = _core_of(lowered)
        if len(core) < MIN_CORE_LENGTH:
            continue
        # A bare name (杭州云栖) is its own core, so it meets 杭州云栖科技有限公司.
        core_pinyin = spelled if core == folded else spell(core)
        exact_blocks[(SAME_COMPANY, core_pinyin)].append(customer_id)
        cjk = _CJK_CHARS.findall(core)
        if len(cjk) >= 4:
            # Similar names are compared only when they start alike (the same city
            # or brand): 济南远航 and 宁波远航 are different companies.
            # Compared syllable by syllable: short sequences, and 栖/溪 are equal.
            cores[customer_id] = tuple([_pinyin_cache[char] for char in core])
            prefix = cjk[0] + cjk[1]
            for index in range(2, len(cjk) - 1):
                similar_blocks[prefix + cjk[index] + cjk[index + 1]].append(customer_id)
    if progress is not None:
        progress(count % PROGRESS_EVERY, "")

    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (reason, _key), ids in exact_blocks.items():
        if len(ids) < 2 or len(ids) > BLOCK_LIMITS[reason]:
            continue
        for first, second in combinations(sorted(set(ids)), 2):
            reasons[(first, second)].add(reason)
    compared: set[tuple[int, int]] = set()
    for ids in similar_blocks.values():
        if len(ids) < 2 or len(ids) > MAX_SIMILAR_BLOCK:
            continue
        for first, second in combinations(sorted(set(ids)), 2):
            key = (first, second)
            if key in compared or SAME_COMPANY in reasons.get(key, ()):
                continue
            compared.add(key)
            matcher = difflib.SequenceMatcher(None, cores[first], cores[second])
            if (
                matcher.real_quick_ratio() >= SIMILARITY_THRESHOLD
                and matcher.quick_ratio() >= SIMILARITY_THRESHOLD
                and matcher.ratio() >= SIMILARITY_THRESHOLD
            ):
                reasons[key].add(SIMILAR_COMPANY)

    result = FinderResult(customers=count)
    for (first, second), found in reasons.items():
        for reason in list(found):
            found -= IMPLIED.get(reason, set())
        codes = sorted(found, key=lambda code: -REASON_WEIGHTS[code])
        score = min(100, sum(REASON_WEIGHTS[code] for code in codes))
        result.scored.append((first, second, score, codes))
    result.pairs = len(result.scored)
    return result


def _insert_pairs(scored: list[tuple[int, int, int, list[str]]]) -> None:
    """Multi-row INSERT … ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike).

    Plain SQL because bulk_create spends ~100 µs per row building model instances,
    which is most of a run at a million customers. A pair that already exists
    (dismissed or merged) is left as it is.
    """
    table = DuplicatePair._meta.db_table
    found_at = connection.ops.adapt_datetimefield_value(timezone.now())
    reasons_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    row_sql = f"(%s, %s, %s, %s{reasons_cast}, %s, %s)"
    columns = "customer_a_id, customer_b_id, score, reasons, status, found_at"
    with connection.cursor() as cursor:
        for start in range(0, len(scored), INSERT_BATCH):
            batch = scored[start : start + INSERT_BATCH]
            params: list[Any] = []
            for first, second, score, codes in batch:
                params += [first, second, score, json.dumps(codes), "open", found_at]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))} "
                "ON CONFLICT (customer_a_id, customer_b_id) DO NOTHING",
                params,
            )


def _scope_pairs(qs: QuerySet[DuplicatePair], actor: Any) -> QuerySet[DuplicatePair]:
    if actor is None:
        return qs
    visible = scoped(Customer.objects.all(), actor=actor).values("pk")
    return qs.filter(customer_a__in=visible, customer_b__in=visible)


def duplicates_find(*, actor: Any, progress: ProgressCallback | None = None) -> FinderResult:
    """Run the finder over the actor's customers (all live ones when actor is None).

    Replaces the open pairs among those customers; dismissed and merged pairs stay.
    """
    if actor is not None:
        require_permission(actor, "customers.change_customer")
    result = find_duplicate_pairs(
        _customer_rows(actor).iterator(chunk_size=5000), progress=progress
    )
    with transaction.atomic():
        _scope_pairs(DuplicatePair.objects.filter(status=DuplicatePairStatus.OPEN), actor).delete()
        _insert_pairs(result.scored)
    return result


def duplicates_find_start(*, actor: Any) -> Job:
    """Queue a finder run in the actor's scope; progress shows on the job page."""
    require_permission(actor, "customers.change_customer")
    return job_start(actor=actor, kind=FIND_JOB_KIND, title=str(_("Find duplicate customers")))


def _run_find_job(context: JobContext) -> dict[str, Any]:
    actor = context.job.created_by
    if actor is None:
        return {"pairs": 0, "customers": 0}
    context.set_total(finder_customer_count(actor=actor))

    def progress(count: int, message: str) -> None:
        context.advance(count, message=message)

    result = duplicates_find(actor=actor, progress=progress)
    message = str(_("%(pairs)s likely duplicate pairs among %(customers)s customers.")) % {
        "pairs": result.pairs,
        "customers": result.customers,
    }
    # Not context.advance: the pairs are committed, a late cancel must not hide them.
    Job.objects.filter(pk=context.job.pk).update(message=message[:500])
    return {"pairs": result.pairs, "customers": result.customers}


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
    visible = scoped(Customer.objects.all(), actor=actor, action=action).values("pk")
    pair = (
        DuplicatePair.objects.filter(
            pk=pk,
            status=DuplicatePairStatus.OPEN,
            customer_a__in=visible,
            customer_b__in=visible,
        )
        .select_related("customer_a", "customer_b")
        .first()
    )
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
