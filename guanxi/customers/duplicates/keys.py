"""Blocking keys for the duplicate finder: reason codes, and the normalised forms of
names (folded, pinyin, company core, similar-name bigrams) that records are blocked on.

The name folded (full/half width, case, spaces) and its pinyin, so 张三, 張三 and
"Zhang San" share a key (pypinyin reads traditional characters too); the company
"core" is the name without legal-form and trade suffixes (有限公司, 股份有限公司, 集团,
科技, Co., Ltd. …), as pinyin; CJK bigrams of the core find similar (not equal)
company names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from guanxi.platform.text import fold_width, is_cjk, pinyin_of

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

MIN_CORE_LENGTH = 2

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
