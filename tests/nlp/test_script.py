"""nlp.script: the one definition of Japanese / kanji / kana / Latin characters and the
language guess built on it (used by tasks.quality, llm.degenerate, summarize, proofread, ocr)."""
from __future__ import annotations

import pytest

from gennai_desktop.nlp.script import (JA_SHARE, guess_language, in_japanese_charset, is_hiragana, is_japanese,
                                       is_kanji, is_katakana, is_latin, japanese_ratio, latin_ratio, script_of)


@pytest.mark.parametrize("ch", ["あ", "ア", "ー", "ｱ", "漢", "々", "〆", "㐀", "豈"])
def test_japanese_characters(ch):
    assert is_japanese(ch)


@pytest.mark.parametrize("ch", ["a", "Z", "é", "１", "。", "、", "「", " ", "×", "α"])
def test_not_japanese_characters(ch):
    assert not is_japanese(ch)


@pytest.mark.parametrize("ch,script", [("ひ", "hira"), ("カ", "kata"), ("ー", "kata"), ("力", "kanji"),
                                        ("々", "kanji"), ("㐀", "kanji"), ("A", "other"), ("・", "other"),
                                        ("ｶ", "other")])
def test_script_of_one_character(ch, script):
    assert script_of(ch) == script
    assert is_hiragana(ch) == (script == "hira") and is_katakana(ch) == (script == "kata")
    assert is_kanji(ch) == (script == "kanji")


def test_latin_letters():
    assert all(is_latin(c) for c in "AzéÆｚ")
    assert not any(is_latin(c) for c in "×÷1あ_ ")


def test_charset_rejects_simplified_chinese_but_not_japanese():
    assert in_japanese_charset("別") and in_japanese_charset("①") and in_japanese_charset("a")
    assert not in_japanese_charset("别") and not in_japanese_charset("对")


def test_ratios_count_letters_only():
    assert japanese_ratio("") == 0.0 and latin_ratio("。、 ") == 0.0
    assert japanese_ratio("日本語です。") == 1.0
    assert japanese_ratio("abc あいう") == pytest.approx(0.5)
    assert latin_ratio("abc あいう") == pytest.approx(0.5)
    assert latin_ratio("The rules 123") == pytest.approx(8 / 11)   # digits are letters, not Latin


def test_guess_language_threshold():
    assert JA_SHARE == 0.3
    assert guess_language("本契約は、甲と乙の間で締結される。") == "ja"
    assert guess_language("This agreement is made between the parties.") == "en"
    assert guess_language("") == "en"
    mixed = "あいう" + "a" * 7                    # exactly 30 % Japanese
    assert guess_language(mixed) == "ja"
    assert guess_language(mixed + "a") == "en"
    assert guess_language(mixed, ja_share=0.5) == "en"
