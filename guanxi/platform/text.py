"""Text helpers shared by every app: HTML sanitising, pinyin, width folding."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

import nh3
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
from pypinyin.seg.simpleseg import seg as pinyin_segments
from pypinyin.style import convert as convert_style

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote"}


def sanitize_html(value: str) -> str:
    """Keep a small set of formatting tags; strip scripts, handlers and styles."""
    if not value:
        return ""
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}})


def fold_width(value: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms."""
    return unicodedata.normalize("NFKC", value)


# The CJK ideographs names are searched and sorted by: the basic block, extension A,
# extension B and the compatibility ideographs (a regex character class).
CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002a6df\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK_CLASS}]")
_NOT_CJK = re.compile(f"[^{CJK_CLASS}]+")


def is_cjk(char: str) -> bool:
    return CJK_CHAR.match(char) is not None


def cjk_only(value: str) -> str:
    """The CJK characters of `value` (is_cjk), in order."""
    return _NOT_CJK.sub("", value)


# pypinyin first cuts a text into words (Han runs split by its phrase dictionary,
# other runs kept whole), then converts each word on its own; the conversion is
# the expensive part (~5 µs a word) and words repeat endlessly across names
# (有限公司, 科技, 杭州), so it is cached per word. Converting word by word gives
# exactly what converting the whole text gives (tested against lazy_pinyin).
# Whole texts (names, addresses) are cached too, but few: they rarely repeat in an
# import of a million distinct names, and 50,000 of each held ~100 MB there.
TEXT_CACHE = 8_192


@lru_cache(maxsize=TEXT_CACHE)
def _segments(text: str) -> tuple[str, ...]:
    """The words pypinyin cuts `text` into; a name all in Han characters is cut once
    for both its pinyin and its initials."""
    return tuple(pinyin_segments(text))


@lru_cache(maxsize=200_000)
def _word_pinyin(word: str) -> str:
    return "".join(lazy_pinyin(word, errors=lambda chars: list(chars)))


@lru_cache(maxsize=200_000)
def _word_initials(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER))


# Cutting a text into words (pypinyin's forward maximum matching, in Python) costs
# more than everything else a name needs. It only matters where a word of the phrase
# dictionary reads differently from its characters read one by one (厦门 is xiamen,
# 厦 alone sha; 银行 yinhang, 行 alone xing): 3,437 of its 47,111 phrases. A text
# that contains none of those reads character by character whatever the cut, so it
# is converted with one str.translate; only a text holding such a phrase is cut
# (about one company name in eight). The tables come from pypinyin's own
# dictionaries on first use (~0.3 s) and give exactly what lazy_pinyin gives (tested
# against it for every character and every such phrase).
@dataclass(frozen=True)
class _CharReadings:
    normal: dict[int, str]  # str.translate table: character -> pinyin without tones
    initials: dict[int, str]  # character -> its pinyin's first letter
    divergent: frozenset[str]  # phrases read otherwise than character by character
    starts: frozenset[str]  # their first two characters
    in_divergent: re.Pattern[str]  # a character such a phrase reads otherwise
    longest: int

    def may_diverge(self, text: str) -> bool:
        """Whether `text` holds a phrase read otherwise than character by character."""
        if not self.in_divergent.search(text):
            return False
        starts, divergent = self.starts, self.divergent
        size = len(text)
        for start in range(size - 1):
            if text[start : start + 2] in starts:
                for end in range(start + 2, min(start + self.longest, size) + 1):
                    if text[start:end] in divergent:
                        return True
        return False


@cache
def _char_readings() -> _CharReadings:
    styles: dict[str, tuple[str, str]] = {}

    def styled(reading: str) -> tuple[str, str]:
        if reading not in styles:
            styles[reading] = (
                convert_style(reading, Style.NORMAL, True),
                convert_style(reading, Style.FIRST_LETTER, True),
            )
        return styles[reading]

    default: dict[str, tuple[str, str]] = {}
    for code, readings in PINYIN_DICT.items():
        char = chr(code)
        if RE_HANS.match(char):
            default[char] = styled(readings.split(",")[0])
    divergent: set[str] = set()
    chars: set[str] = set()  # the characters read otherwise in some phrase
    for phrase, readings in PHRASES_DICT.items():
        if len(readings) != len(phrase):  # pypinyin would drop or misplace readings
            differing = set(phrase)
        else:
            differing = {
                char
                for char, reading in zip(phrase, readings, strict=True)
                if default.get(char) != styled(reading[0])
            }
        if differing:
            divergent.add(phrase)
            chars |= differing
    return _CharReadings(
        normal={ord(char): pair[0] for char, pair in default.items()},
        initials={ord(char): pair[1] for char, pair in default.items()},
        divergent=frozenset(divergent),
        starts=frozenset(phrase[:2] for phrase in divergent),
        in_divergent=re.compile("[" + "".join(map(re.escape, sorted(chars))) + "]"),
        longest=max(map(len, divergent), default=0),
    )


@lru_cache(maxsize=TEXT_CACHE)
def pinyin_of(value: str) -> str:
    """Full pinyin without tones and spaces: 张三 -> "zhangsan"; Latin kept lower-cased."""
    readings = _char_readings()
    if readings.may_diverge(value):
        pinyin = "".join(map(_word_pinyin, _segments(value)))
    else:
        pinyin = value.translate(readings.normal)
    return pinyin.lower().replace(" ", "")


@lru_cache(maxsize=TEXT_CACHE)
def pinyin_initials_of(value: str) -> str:
    """Pinyin initials of the CJK characters: 张三 -> "zs"."""
    cjk = cjk_only(value)
    if not cjk:
        return ""
    readings = _char_readings()
    if readings.may_diverge(cjk):
        return "".join(map(_word_initials, _segments(cjk))).lower()
    return cjk.translate(readings.initials).lower()


def sort_key_of(value: str) -> str:
    """A key that sorts Chinese names by pinyin and Latin names alphabetically."""
    return pinyin_of(fold_width(value or ""))[:200]
