"""Coverage rules added from the 2010 訓令 lists and the 常用漢字表: categories follow the
訓令, 表外字・表外訓 are flagged, 常用 kanji of the 2010 table are not, and the CJK radical
supplement table agrees with Unicode's own compatibility mappings."""
from __future__ import annotations

import unicodedata

import pytest

from gennai_desktop.proofread.rules import check_text, load_rules


def _pairs(text: str) -> list[tuple[str, str, str]]:
    return [(f.original, f.suggestion, f.category) for f in check_text(text)]


@pytest.mark.parametrize("text, original, suggestion, category", [
    ("3日程で完了する。", "程", "ほど", "助詞・助動詞"),
    ("問題がある様だ。", "様", "よう", "助詞・助動詞"),
    ("該当者は無い。", "無い", "ない", "仮名書きの語"),
    ("参考に過ぎない。", "過ぎ", "すぎ", "仮名書きの語"),
    ("間違いかも知れない。", "知れ", "しれ", "仮名書きの語"),
    ("本件に就いて周知する。", "就いて", "ついて", "仮名書きの語"),
    ("就いては、回答願います。", "就いて", "ついて", "接続詞"),
    ("検討すると共に報告する。", "共", "とも", "仮名書きの語"),
    ("天候に拘わらず開催する。", "拘わら", "かかわら", "常用漢字表外"),
    ("支援に繋げる。", "繋げる", "つなげる", "常用漢字表外"),
    ("5頁を参照すること。", "頁", "ページ", "常用漢字表外"),
    ("結果を纏めた。", "纏め", "まとめ", "常用漢字表外"),
    ("夫々の立場から述べる。", "夫々", "それぞれ", "常用漢字表外"),
    ("稀に見られる。", "稀", "まれ", "常用漢字表外"),
    ("勿論、審査する。", "勿論", "もちろん", "常用漢字表外"),
    ("第1号乃至第3号", "乃至", "ないし", "常用漢字表外"),
    ("広範囲に亘る。", "亘る", "わたる", "常用漢字表外"),
    ("作業が捗る。", "捗る", "はかどる", "常用漢字表外"),
    ("事項を明かにする。", "明か", "明らか", "送り仮名"),
    ("御覧頂いた資料", "頂い", "いただい", "補助動詞"),
    ("見られない時の対応", "時", "とき", "形式名詞"),
    ("達成は不可能ではない。", "不可能ではない", "不可能ではない", "二重否定"),
    ("本件とは無関係ではない。", "無関係ではない", "無関係ではない", "二重否定"),
    ("知事がお越しになられ、挨拶した。", "になられ", "になり", "二重敬語"),
    ("\u2ed1期にわたる。", "\u2ed1", "長", "PDF抽出"),
    ("区域に於て実施する。", "於て", "おいて", "常用漢字表外"),
    ("完成の目処が立った。", "目処", "めど", "常用漢字表外"),
    ("財政が逼迫している。", "逼迫", "ひっ迫", "常用漢字表外"),
])
def test_fires(text, original, suggestion, category):
    assert (original, suggestion, category) in _pairs(text)


@pytest.mark.parametrize("text", [
    # kanji added to the 常用漢字表 in 2010, with table readings
    "挨拶状を送る。", "その頃に決める。", "掲示板に貼る。", "宛先を書く。", "進捗状況を報告する。",
    "誰でも使える。", "においを嗅ぐ。", "謎が残る。", "僅かな差である。", "汚れを拭く。",
    "過去に遡って適用する。", "曖昧な表現を避ける。",
    # real uses that look like the kana words
    "新たな職に就いて三年になる。", "帰途に就いた。", "不動産ではない物件", "無料ではない。",
    "一寸法師の話", "夫の同意を得た。", "この手続は不要ではないか。", "直ちに報告する。", "この時、雨が降っていた。",
])
def test_silent(text):
    assert _pairs(text) == []


def test_categories_follow_the_2010_kunrei():
    """ほど・ようだ are 助詞・助動詞 (1(2)カ); ない・にすぎない・かもしれない・について・ともに
    are words written in kana (1(2)キ), not auxiliary verbs or formal nouns."""
    rs = load_rules("koyobun")
    cat = {r.id: r.category for rules in rs.morph_by_lemma.values() for r in rules}
    assert cat["joshi.hodo"] == cat["joshi.you"] == "助詞・助動詞"
    for rid in ("kana.nai", "kana.sugi", "kana.kamoshirenai", "kana.tsuite", "kana.tomoni"):
        assert cat[rid] == "仮名書きの語", rid


def test_radical_supplement_table():
    rs = load_rules("koyobun")
    rule = next(r for r in rs.regex_rules if r.id == "pdf.radical_supplement")
    table = rule.to["map"]
    assert len(table) >= 80
    for src, dst in table.items():
        assert 0x2E80 <= ord(src) <= 0x2EF3
        assert len(dst) == 1 and unicodedata.name(dst).startswith("CJK UNIFIED IDEOGRAPH")
    # the two characters of the block that do have a compatibility mapping must agree with it
    for src in ("\u2e9f", "\u2ef3"):
        assert table[src] == unicodedata.normalize("NFKC", src)
    assert table["\u2ed1"] == "長" and table["\u2ec4"] == "西" and table["\u2eef"] == "竜"


def test_titles_in_double_brackets_are_quoted_as_written():
    """Word rules stay out of 『…』 (a title is cited as written); character rules still apply."""
    assert _pairs("『翔ぶが如く』を参考にした。") == []
    assert ("如く", "ごとく", "常用漢字表外") in _pairs("翔ぶが如く走る。")
    assert ("\u2ed1", "長", "PDF抽出") in _pairs("『\u2ed1期計画』を定めた。")
    # an unclosed bracket does not silence the rest of the text
    assert ("纏め", "まとめ", "常用漢字表外") in _pairs("『報告書の概要。結果を纏めた。")
