"""pinyin_of / pinyin_initials_of against pypinyin itself.

Both convert character by character unless the text holds a phrase that pypinyin
reads otherwise (platform/text.py); these tests hold them to lazy_pinyin on the whole
text for every character and every phrase of pypinyin's dictionaries.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS

from guanxi.platform.text import _char_readings, cjk_only, is_cjk, pinyin_initials_of, pinyin_of


def expected_pinyin(value: str) -> str:
    return "".join(lazy_pinyin(value, errors=lambda chars: list(chars))).lower().replace(" ", "")


def expected_initials(value: str) -> str:
    cjk = "".join(c for c in value if is_cjk(c))
    return "".join(lazy_pinyin(cjk, style=Style.FIRST_LETTER)).lower() if cjk else ""


HAN_CHARS = [chr(code) for code in PINYIN_DICT if RE_HANS.match(chr(code))]


def test_every_character_alone_reads_as_pypinyin_reads_it() -> None:
    for char in HAN_CHARS:
        assert pinyin_of(char) == expected_pinyin(char), char
        assert pinyin_initials_of(char) == expected_initials(char), char


def test_every_phrase_read_otherwise_reads_as_pypinyin_reads_it_also_inside_a_name() -> None:
    for phrase in _char_readings().divergent:
        for text in (phrase, f"杭州{phrase}有限公司", f"A {phrase}·b"):
            assert pinyin_of(text) == expected_pinyin(text), text
            assert pinyin_initials_of(text) == expected_initials(text), text


def test_other_phrases_read_character_by_character() -> None:
    divergent = _char_readings().divergent
    others = [phrase for phrase in PHRASES_DICT if phrase not in divergent]
    for phrase in others[::7]:  # a fixed seventh of the 43,674 (the whole set takes 6 s)
        text = f"杭州{phrase}有限公司"
        assert pinyin_of(text) == expected_pinyin(text), text
        assert pinyin_initials_of(text) == expected_initials(text), text


def test_phrases_read_otherwise_are_the_ones_cut_into_words() -> None:
    readings = _char_readings()
    assert "厦门" in readings.divergent and "银行" in readings.divergent
    assert readings.may_diverge("厦门安达宏资产管理有限公司")
    assert not readings.may_diverge("杭州新辰东食品集团有限公司")
    assert pinyin_of("厦门银行") == "xiamenyinhang"
    assert pinyin_of("杭州科技") == "hangzhoukeji"


def test_cjk_only_keeps_the_cjk_characters_in_order() -> None:
    assert cjk_only("Ａ张3三·丰 x") == "张三丰"


DIVERGENT_CHARS = sorted({c for phrase in list(_char_readings().divergent)[:400] for c in phrase})


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted(_char_readings().divergent)),
            st.sampled_from(DIVERGENT_CHARS),
            st.sampled_from(HAN_CHARS),
            st.text(alphabet="张王李科技有限公司AbZ 1-·Ｚｚ〇あ𠀀", max_size=3),
        ),
        max_size=8,
    ).map("".join)
)
def test_any_mix_of_names_phrases_and_latin_reads_as_pypinyin_reads_it(value: str) -> None:
    assert pinyin_of(value) == expected_pinyin(value)
    assert pinyin_initials_of(value) == expected_initials(value)
