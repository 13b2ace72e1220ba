"""Text helpers shared by every app: HTML sanitising, pinyin, width folding."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import nh3
from pypinyin import Style, lazy_pinyin
from pypinyin.seg.simpleseg import seg as pinyin_segments

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote"}


def sanitize_html(value: str) -> str:
    """Keep a small set of formatting tags; strip scripts, handlers and styles."""
    if not value:
        return ""
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}})


def fold_width(value: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms."""
    return unicodedata.normalize("NFKC", value)


def is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
    )


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


@lru_cache(maxsize=TEXT_CACHE)
def pinyin_of(value: str) -> str:
    """Full pinyin without tones and spaces: 张三 -> "zhangsan"; Latin kept lower-cased."""
    return "".join(map(_word_pinyin, _segments(value))).lower().replace(" ", "")


@lru_cache(maxsize=TEXT_CACHE)
def pinyin_initials_of(value: str) -> str:
    """Pinyin initials of the CJK characters: 张三 -> "zs"."""
    cjk = "".join(c for c in value if is_cjk(c))
    if not cjk:
        return ""
    return "".join(map(_word_initials, _segments(cjk))).lower()


def sort_key_of(value: str) -> str:
    """A key that sorts Chinese names by pinyin and Latin names alphabetically."""
    return pinyin_of(fold_width(value or ""))[:200]
