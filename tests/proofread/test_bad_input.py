"""Bad input never crashes the rule engine and gives sensible findings."""
from __future__ import annotations

from gennai_desktop.core.findings import validate
from gennai_desktop.proofread.apply import apply_findings
from gennai_desktop.proofread.rules import check_text


def _check(text: str):
    fs = check_text(text)
    assert validate(fs, text) == fs
    edits = [f for f in fs if f.severity != "hint"]   # 長文 hints span whole sentences
    for a, b in zip(edits, edits[1:]):
        assert a.end <= b.start
    return fs


def test_empty_and_blank():
    assert _check("") == []
    assert _check("   \n\t\u3000\n") == []


def test_50000_character_line_without_punctuation():
    # 150 kB of UTF-8: above SudachiPy's per-call limit, no 。 or newline to cut at. Not a
    # sentence (no 。), so no 長文 hint either: that advice is for sentences of running text.
    text = ("事業の実施状況" * (50_000 // 7 + 1))[:50_000]
    assert len(text) >= 50_000
    fs = _check(text)
    assert not any(f.category == "長文" for f in fs)
    sentence = ("事業の実施状況、" * (50_000 // 8 + 1))[:50_000] + "。"
    fs = _check(sentence)
    assert [f.category for f in fs if f.category == "長文"] == ["長文"]


def test_long_document_line_with_findings_everywhere():
    text = "資料を送って下さい" * 6000   # 54,000 characters, one line
    fs = _check(text)
    assert sum(f.original == "下さい" for f in fs) == 6000


def test_mixed_scripts_and_emoji():
    text = "GENNAI 👍🏽 は Ｗｅｂ版 と한국어 と English を含む。😀資料を送って下さい。"
    fs = _check(text)
    assert ("Ｗｅｂ", "Web") in [(f.original, f.suggestion) for f in fs]
    assert ("下さい", "ください") in [(f.original, f.suggestion) for f in fs]
    assert not any("👍" in f.original or "😀" in f.original for f in fs)


def test_control_characters_are_flagged_for_deletion():
    text = "申請書\u200bは窓口に\x00提出\x07すること。\ufeff"
    fs = _check(text)
    deleted = [f for f in fs if f.category == "PDF抽出" and f.suggestion == ""]
    assert len(deleted) == 4
    assert apply_findings(text, fs) == "申請書は窓口に提出すること。"


def test_text_pasted_from_pdf():
    # Kangxi radicals, compatibility ideographs, 䛾 for の, NFD kana, a form feed
    text = "⽅針䛾概要を⽰す。\x0cか\u3099いと\u3099らいん\uf91fを参照"
    fs = _check(text)
    fixed = apply_findings(text, fs)
    assert "方針の概要を示す。" in fixed and "ガイドライン" not in fixed  # no invention
    assert "が" in fixed and "\x0c" not in fixed


def test_lone_surrogates_and_odd_unicode_do_not_crash():
    text = "資料\ud800を送って下さい\U0010ffff。\u202e逆向き\u202c"
    _check(text)
