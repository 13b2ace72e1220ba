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

Modules: keys (reason codes, name normalisation), finder (blocking and scoring,
no queries), store (the scans and the pair writes), selectors (pairs and merges
to show), services (runs and dismissals), jobs (the background job, registered
on import). Every public name is re-exported here.
"""

from guanxi.customers.duplicates import jobs  # noqa: F401  registers the finder's job handler
from guanxi.customers.duplicates.finder import (
    BLOCK_LIMITS,
    MAX_PAIRS_PER_RECORD,
    MAX_SIMILAR_BLOCK,
    PROGRESS_EVERY,
    SIMILARITY_THRESHOLD,
    FinderResult,
    PairCollector,
    ProgressCallback,
    find_contact_pairs,
    find_duplicate_pairs,
)
from guanxi.customers.duplicates.keys import (
    BIT,
    IMPLIED,
    MIN_CORE_LENGTH,
    REASON_LABELS,
    REASON_WEIGHTS,
    SAME_COMPANY,
    SAME_CUSTOMER,
    SAME_EMAIL,
    SAME_NAME,
    SAME_NAME_PINYIN,
    SAME_PHONE,
    SIMILAR_COMPANY,
    NameKeys,
    company_core,
    fold_name,
    name_keys,
    spell,
)
from guanxi.customers.duplicates.selectors import (
    CONTACT_PAIR_NOT_FOUND,
    PAIR_NOT_FOUND,
    contact_merge_recent_list,
    contact_pair_get,
    contact_pair_list,
    customer_merge_recent_list,
    duplicate_pair_get,
    duplicate_pair_list,
    live_contact_count,
    live_interaction_count,
)
from guanxi.customers.duplicates.services import (
    FIND_JOB_KIND,
    contact_pair_dismiss,
    duplicate_pair_dismiss,
    duplicates_find,
    duplicates_find_start,
)
from guanxi.customers.duplicates.store import (
    DELETE_BATCH,
    FETCH_SIZE,
    INSERT_BATCH,
    SQLITE_WRITE_CACHE_KIB,
    finder_customer_count,
)

__all__ = [
    "BIT",
    "BLOCK_LIMITS",
    "CONTACT_PAIR_NOT_FOUND",
    "DELETE_BATCH",
    "FETCH_SIZE",
    "FIND_JOB_KIND",
    "IMPLIED",
    "INSERT_BATCH",
    "MAX_PAIRS_PER_RECORD",
    "MAX_SIMILAR_BLOCK",
    "MIN_CORE_LENGTH",
    "PAIR_NOT_FOUND",
    "PROGRESS_EVERY",
    "REASON_LABELS",
    "REASON_WEIGHTS",
    "SAME_COMPANY",
    "SAME_CUSTOMER",
    "SAME_EMAIL",
    "SAME_NAME",
    "SAME_NAME_PINYIN",
    "SAME_PHONE",
    "SIMILARITY_THRESHOLD",
    "SIMILAR_COMPANY",
    "SQLITE_WRITE_CACHE_KIB",
    "FinderResult",
    "NameKeys",
    "PairCollector",
    "ProgressCallback",
    "company_core",
    "contact_merge_recent_list",
    "contact_pair_dismiss",
    "contact_pair_get",
    "contact_pair_list",
    "customer_merge_recent_list",
    "duplicate_pair_dismiss",
    "duplicate_pair_get",
    "duplicate_pair_list",
    "duplicates_find",
    "duplicates_find_start",
    "find_contact_pairs",
    "find_duplicate_pairs",
    "finder_customer_count",
    "fold_name",
    "live_contact_count",
    "live_interaction_count",
    "name_keys",
    "spell",
]
