"""Each normalisation rule repairs its artefact, and legitimate text stays exactly as typed."""
from __future__ import annotations

import unicodedata

import pytest

from gennai_desktop.documents.normalize import (
    is_cjk,
    join_wrapped_lines,
    normalize_safe,
    normalize_text,
)


# -- repairs --------------------------------------------------------------------------------

def test_kangxi_radicals_become_ideographs():
    # U+2F92 KANGXI RADICAL SEE, U+2F47 KANGXI RADICAL SUN, U+2F08 KANGXI RADICAL MAN
    assert normalize_text("\u2f92\u2f47\u2f08") == "見日人"


def test_radicals_supplement_artefacts_become_ideographs():
    assert normalize_text("\u2ed1\u2ec4\u2ea0") == "長西民"


def test_compatibility_ideographs_become_unified():
    # U+F9DC (compat 隆) → U+9686; U+2F8A6 (compat) → its canonical ideograph
    assert normalize_text("\uf9dc") == "\u9686"
    assert normalize_text("\U0002f8a6") == unicodedata.normalize("NFC", "\U0002f8a6")
    assert normalize_text("\U0002f8a6") != "\U0002f8a6"


def test_compat_block_characters_that_are_unified_stay():
    # U+FA11 﨑 and U+FA0E 﨎 are unified ideographs living in the compatibility block.
    assert normalize_text("\ufa11\ufa0e") == "\ufa11\ufa0e"


def test_no_artefact_for_no():
    assert normalize_text("日本\u46fe法律") == "日本の法律"


def test_nfd_kana_is_composed():
    assert normalize_text("か\u3099くせい") == "がくせい"
    assert normalize_text("ハ\u309aン") == "パン"
    assert normalize_safe("か\u3099") == "が"


def test_control_characters_removed_but_newline_and_tab_kept():
    assert normalize_safe("a\x00b\x07c\td\ne\x1b\x85") == "abc\td\ne"
    assert normalize_safe("a\r\nb\rc") == "a\nb\nc"
    assert normalize_safe("x\ufeffy") == "xy"


def test_lone_surrogates_removed():
    assert normalize_text("a\ud800b") == "ab"


def test_line_break_between_japanese_removed_without_space():
    assert normalize_text("この法律は、電子署名に関し\n、電磁的記録の") == "この法律は、電子署名に関し、電磁的記録の"
    assert normalize_text("行政機関の長\nは") == "行政機関の長は"


def test_line_break_between_latin_words_becomes_space():
    assert normalize_text("personal\ninformation") == "personal information"


def test_english_hyphenation_joined():
    assert normalize_text("an exam-\nple of text") == "an example of text"


def test_hyphen_before_capital_is_kept():
    # "ISO-\n9001" / "Japan-\nUS": not a word split
    assert normalize_text("Japan-\nUS talks") == "Japan-US talks"


def test_blank_line_separates_paragraphs():
    assert join_wrapped_lines("第一段落の\n続き\n\n第二段落") == "第一段落の続き\n\n第二段落"


def test_pypdf_spaces_between_japanese_removed():
    assert normalize_text("行 政 手 続 法") == "行政手続法"
    assert normalize_text("第 1 　節") == "第 1　節"


def test_spaces_kept_when_requested():
    assert normalize_text("山田 太郎", drop_cjk_spaces=False) == "山田 太郎"


# -- legitimate text is unchanged -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "１２３４５",            # full-width digits
    "①②③",                  # circled numbers
    "㈱㈲",                  # parenthesised ideographs
    "ｶﾞｯｺｳ",                 # half-width katakana incl. voiced mark as typed
    "ＡＢＣ",                # full-width Latin
    "第１条　目的",          # ideographic space
    "Hello, world.",
    "令和８年１１月２２日",
    "〒100-8914",
    "髙橋﨑",                # variant ideographs that are unified characters
    "ﾊﾟｿｺﾝ",
])
def test_legitimate_text_unchanged(text):
    assert normalize_text(text) == text
    assert normalize_safe(text) == text


def test_safe_subset_leaves_pdf_only_rules_alone():
    text = "\u2f92 行 政\n手続 \uf9dc \u46fe"
    assert normalize_safe(text) == text


def test_is_cjk():
    assert is_cjk("漢") and is_cjk("か") and is_cjk("。") and is_cjk("Ａ")
    assert not is_cjk("A") and not is_cjk("1") and not is_cjk("")
