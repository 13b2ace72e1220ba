"""Chinese-capable search: one token text per record, built in Python.

Trigram indexes cannot find two-character names (张三), so each record keeps a
`search_text` column of space-separated tokens (DESIGN.md "Search"):
 - CJK runs as unigrams and bigrams (张三丰 -> 张 三 丰 张三 三丰),
 - their full pinyin and initials (zhangsanfeng, zsf),
 - lower-cased Latin words, e-mail addresses flattened (zhang.san@qq.com ->
   zhangsanqqcom, zhangsan, qq, com),
 - phone national digits and their last 4 and last 7 digits.
SQLite indexes it with an FTS5 external-content table, PostgreSQL with a stored
tsvector column under a GIN index (both created by the owning app's migration,
see `fts_sql`). A query is tokenised the same way and every term must match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.db.models.expressions import Expression, RawSQL

from guanxi.platform.phones import InvalidPhone, national_digits, normalize_phone
from guanxi.platform.text import (
    CJK_CHAR,
    CJK_CLASS,
    TEXT_CACHE,
    fold_width,
    pinyin_initials_of,
    pinyin_of,
)

_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(f"[{CJK_CLASS}]+")
_CN_MOBILE = re.compile(r"\+86(1[3-9]\d{9})")
_EMAIL_SPLIT = re.compile(r"[^a-z0-9]+")
# A phone number typed with separators: "138 1234 5678", "+86 138-1234-5678", "(010) 6552 9988".
_PHONE_LIKE = re.compile(r"\+?\(?[0-9][0-9 \-().]*[0-9]")
_PHONE_MIN_DIGITS = 7
MAX_QUERY_TERMS = 8


def _normalise(text: str) -> str:
    return fold_width(text or "").lower()


def _cjk_runs(text: str) -> list[str]:
    return _CJK_RUN.findall(text)


def name_tokens(text: str) -> list[str]:
    """Tokens for a name or any free text shown as a title."""
    text = _normalise(text)
    tokens: list[str] = []
    for run in _cjk_runs(text):
        tokens.extend(_cjk_run_tokens(run))
    tokens.extend(_LATIN_WORD.findall(text))
    return tokens


@lru_cache(maxsize=TEXT_CACHE)
def _cjk_run_tokens(run: str) -> tuple[str, ...]:
    """Unigrams, bigrams, pinyin and initials of one CJK run.

    Cached: pypinyin costs tens of microseconds per call and names repeat a lot
    (张伟, 王芳), which matters for imports and the bulk demo loader.
    """
    return (
        *run,
        *(run[i : i + 2] for i in range(len(run) - 1)),
        pinyin_of(run),
        pinyin_initials_of(run),
    )


def email_tokens(email: str) -> list[str]:
    email = _normalise(email).strip()
    if not email:
        return []
    local, _sep, domain = email.partition("@")
    tokens = [_EMAIL_SPLIT.sub("", email), _EMAIL_SPLIT.sub("", local)]
    tokens.extend(part for part in _EMAIL_SPLIT.split(local) if part)
    tokens.extend(part for part in _EMAIL_SPLIT.split(domain) if part)
    return tokens


def phone_tokens(e164: str) -> list[str]:
    # Fast path for the common case, a mainland mobile (same digits phonenumbers gives).
    mobile = _CN_MOBILE.fullmatch(e164)
    digits = mobile.group(1) if mobile else national_digits(e164)
    if not digits:
        return []
    return [digits, digits[-4:], digits[-7:]]


def build_search_text(
    *,
    names: Iterable[str] = (),
    words: Iterable[str] = (),
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
) -> str:
    """The token text stored in a record's `search_text` column."""
    tokens: list[str] = []
    for value in names:
        tokens.extend(name_tokens(value))
    for value in words:
        tokens.extend(name_tokens(value))
    for value in emails:
        tokens.extend(email_tokens(value))
    for value in phones:
        tokens.extend(phone_tokens(value))
    return " ".join(dict.fromkeys(t for t in tokens if t))


@dataclass(frozen=True)
class QueryTerm:
    token: str
    is_prefix: bool


def _collapse_phone(match: re.Match[str]) -> str:
    """One digit token for a phone typed in groups, as the stored national digits read."""
    span = match.group(0)
    digits = "".join(c for c in span if c.isascii() and c.isdigit())
    has_separator = any(c in span for c in " -()")
    if len(digits) < _PHONE_MIN_DIGITS or not (has_separator or span.startswith("+")):
        return span
    international = span.startswith("+") or digits.startswith("00")
    candidate = "+" + digits.lstrip("0") if international else digits
    try:
        return f" {national_digits(normalize_phone(candidate))} "
    except InvalidPhone:
        pass
    # A partial number: drop the international and trunk prefixes the stored digits lack.
    digits = digits.lstrip("0")
    if international and digits.startswith("86"):
        digits = digits[2:]
    return f" {digits} " if digits else " "


def query_terms(query: str) -> list[QueryTerm]:
    """Tokenise what a user typed into terms that must all match.

    CJK: one character matches as a unigram, longer runs as their bigrams.
    Latin letters/digits: prefix terms (zhang -> zhangsan, 1381 -> 13812345678);
    an e-mail-like query is flattened the same way stored e-mails are.
    """
    text = _normalise(query).strip()
    terms: list[QueryTerm] = []
    for run in _cjk_runs(text):
        if len(run) == 1:
            terms.append(QueryTerm(run, is_prefix=False))
        else:
            terms.extend(QueryTerm(run[i : i + 2], False) for i in range(len(run) - 1))
    latin = CJK_CHAR.sub(" ", text)
    latin = _PHONE_LIKE.sub(_collapse_phone, latin)
    for chunk in latin.split():
        local, at_sign, domain = chunk.partition("@")
        if at_sign and _EMAIL_SPLIT.sub("", local):
            # An e-mail, whole or begun, flattened as stored e-mails are; "zhang.san@"
            # names a complete local part, so it must match that token exactly.
            has_domain = bool(_EMAIL_SPLIT.sub("", domain))
            terms.append(QueryTerm(_EMAIL_SPLIT.sub("", local + domain), is_prefix=has_domain))
            continue
        if ("+" in chunk or "-" in chunk) and chunk.lstrip("+").replace("-", "").isdigit():
            flat = _EMAIL_SPLIT.sub("", chunk).lstrip("0")
            if flat.startswith("86") and len(flat) > 11:
                flat = flat[2:]
            if flat:
                terms.append(QueryTerm(flat, is_prefix=True))
            continue
        # Anything else (a WeChat id "apple_cn", a domain "@qq.com"): its words, as stored.
        for word in _LATIN_WORD.findall(chunk):
            terms.append(QueryTerm(word, is_prefix=True))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_QUERY_TERMS]


def _fts5_match(terms: list[QueryTerm]) -> str:
    # Tokens are [a-z0-9] or CJK only, so quoting is safe; "x"* is an FTS5 prefix query.
    return " AND ".join(f'"{t.token}"' + ("*" if t.is_prefix else "") for t in terms)


def _tsquery(terms: list[QueryTerm]) -> str:
    parts = []
    for term in terms:
        # A one-letter prefix matches a large share of any table (GIN has no cheap
        # answer for it): treat it as an exact token (pinyin initials still match).
        is_prefix = term.is_prefix and len(term.token) >= 2
        parts.append(f"'{term.token}'" + (":*" if is_prefix else ""))
    return " & ".join(parts)


@dataclass(frozen=True)
class SearchTable:
    table: str
    fts_table: str


_tables: dict[type[models.Model], SearchTable] = {}


def register_search(model: type[models.Model]) -> None:
    table = model._meta.db_table
    _tables[model] = SearchTable(table=table, fts_table=f"{table}_fts")


class _TsMatch(Expression):
    """`<row's table>.search_vector @@ to_tsquery('simple', q)` as a WHERE condition.

    The tsvector lives on the row itself, so PostgreSQL filters in place instead
    of `id IN (SELECT id FROM the same table ...)`, which joined every match back
    to its own table (about twice as slow for 2,000+ matches at 1M rows). The
    table alias is taken from the query and follows re-aliasing (subqueries).
    """

    output_field = models.BooleanField()

    def __init__(self, tsquery: str, alias: str | None = None) -> None:
        super().__init__()
        self.tsquery = tsquery
        self.alias = alias

    def resolve_expression(self, query: Any = None, *args: Any, **kwargs: Any) -> _TsMatch:
        clone = self.copy()
        clone.alias = query.get_initial_alias()
        return clone

    def relabeled_clone(self, change_map: dict[str, str]) -> _TsMatch:
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        table = compiler.quote_name_unless_alias(self.alias)
        return f"{table}.\"search_vector\" @@ to_tsquery('simple', %s)", [self.tsquery]


def search_filter(qs: QuerySet, query: str) -> QuerySet:
    """Narrow `qs` to rows matching every term of `query` (an empty query: no filter)."""
    terms = query_terms(query)
    if not terms:
        return qs if not (query or "").strip() else qs.none()
    spec = _tables[qs.model]
    if connection.vendor == "postgresql":
        return qs.filter(_TsMatch(_tsquery(terms)))
    sql = f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH %s"
    return qs.filter(id__in=RawSQL(sql, [_fts5_match(terms)]))


def fts_sql(table: str, vendor: str) -> tuple[list[str], list[str]]:
    """(forward, reverse) SQL that creates the full-text index for `table`."""
    fts = f"{table}_fts"
    if vendor == "postgresql":
        return (
            [
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
                f"CREATE INDEX {table}_search_gin ON {table} USING gin (search_vector)",
            ],
            [
                f"DROP INDEX IF EXISTS {table}_search_gin",
                f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
            ],
        )
    if vendor == "sqlite":
        return (
            [
                f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
                f"content_rowid='id', tokenize='unicode61', detail='none', "
                f"prefix='1 2 3 4 5 6')",
                f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
                f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
                f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, search_text) "
                f"VALUES ('delete', old.id, old.search_text); END",
                f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
                f"INSERT INTO {fts}({fts}, rowid, search_text) "
                f"VALUES ('delete', old.id, old.search_text); "
                f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
            ],
            [
                f"DROP TRIGGER IF EXISTS {fts}_ai",
                f"DROP TRIGGER IF EXISTS {fts}_ad",
                f"DROP TRIGGER IF EXISTS {fts}_au",
                f"DROP TABLE IF EXISTS {fts}",
            ],
        )
    return [], []
