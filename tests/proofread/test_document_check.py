"""The 公用文 checker on whole documents: consistency against the document's own majority,
what each block kind is checked for, footnote markers, 長文 hints and the 法令 profile."""
from __future__ import annotations

import pytest

from gennai_desktop.core.document import Block, Document
from gennai_desktop.proofread.document_check import check_document
from gennai_desktop.proofread.profile_choice import choose_profile
from gennai_desktop.proofread.rules import check_text


def _doc(*items: tuple[str, str], fmt: str = "docx", pages: bool = False) -> Document:
    blocks = [Block(id=f"b{i:04d}", kind=k, text=t, page=(i // 3 + 1) if pages else None)  # type: ignore[arg-type]
              for i, (k, t) in enumerate(items)]
    return Document.from_blocks(blocks, fmt=fmt)  # type: ignore[arg-type]


def _found(doc: Document, profile: str = "auto"):
    return check_document(doc, profile).findings


def _cats(fs) -> set[str]:
    return {f.category for f in fs}


# --- widths, commas and style are judged against the document itself -------------------------
FULL = [("paragraph", "令和６年４月１日から、第２条の規定を適用する。"),
        ("paragraph", "対象は１２０名であり、うち３０名が出席した。"),
        ("paragraph", "ＩＣＴ機器の更新は、第３四半期に行う。")]


def test_a_consistently_full_width_document_gets_no_width_findings():
    assert "全角半角" not in _cats(_found(_doc(*FULL)))


def test_a_minority_width_is_flagged_against_the_named_majority():
    doc = _doc(*FULL, ("paragraph", "次回は10月に開催する。"))
    ws = [f for f in _found(doc) if f.category == "全角半角"]
    assert [(f.original, f.suggestion) for f in ws] == [("10", "１０")]
    assert "全角" in ws[0].message and "か所" in ws[0].message     # which majority, and its counts


def test_headings_tables_and_quoted_titles_do_not_count_or_get_width_findings():
    doc = _doc(("heading", "第1章 概要"), *FULL,
               ("table", "区分\t人数\n合計\t150"),
               ("paragraph", "「令和6年度デジタル社会推進計画について」（令和６年６月閣議決定）を踏まえる。"))
    assert "全角半角" not in _cats(_found(doc))


def test_one_digit_full_width_and_longer_half_width_is_a_convention_when_the_counts_show_it():
    body = [("paragraph", f"第{d}回の会議を令和{d}年{m}月{day}日に開催した。")
            for d, m, day in (("１", 10, 21), ("２", 11, 22), ("３", 12, 23), ("４", 10, 24))]
    doc = _doc(*body)
    assert "全角半角" not in _cats(_found(doc))
    doc = _doc(*body, ("paragraph", "第5回の会議は中止とした。"))
    ws = [f for f in _found(doc) if f.category == "全角半角"]
    assert [(f.original, f.suggestion) for f in ws] == [("5", "５")] and "1桁" in ws[0].message


def test_codes_english_and_names_are_judged_as_written():
    doc = _doc(*FULL, ("paragraph", "区分番号「Ｋ０３９」の「１」及びDCAT 2.0を参照し、DeepMindの例も示す。"))
    assert "全角半角" not in _cats(_found(doc))
    doc = _doc(*FULL, ("paragraph", "記号は「Ｂ００５－10－２」とする。"))
    ws = [f for f in _found(doc) if f.category == "全角半角"]
    assert [(f.original, f.suggestion) for f in ws] == [("10", "１０")]


def test_comma_style_is_whatever_the_document_uses_throughout():
    comma_doc = _doc(("paragraph", "本件については，別途通知する。"), ("paragraph", "対象は，小学校，中学校である。"))
    assert "句読点" not in _cats(_found(comma_doc))
    mixed = _doc(("paragraph", "本件については，別途通知する。"), ("paragraph", "対象は，小学校，中学校である。"),
                 ("paragraph", "回答は、後日とする。"))
    cs = [f for f in _found(mixed) if f.category == "句読点"]
    assert [(f.original, f.suggestion) for f in cs] == [("、", "，")] and "「，」" in cs[0].message


def test_footnote_markers_are_stripped_before_the_sentence_end_is_read():
    paras = [("paragraph", f"この方式は有効である[{i}](#)。") for i in range(1, 6)]
    paras += [("paragraph", "各府省で導入が進んでいる^[6]。"), ("paragraph", "今後も検討が必要である※7。")]
    paras.insert(3, ("paragraph", "詳しくは別紙に示しています。"))
    fs = [f for f in _found(_doc(*paras)) if f.category == "文体"]
    assert [f.original for f in fs] == ["ます"]          # the である majority is counted, markers and all
    assert "「である」体" in fs[0].message


def test_a_passage_in_the_other_style_is_not_a_mix():
    plain = [("paragraph", f"第{i}の論点を検討した結果、方針を定めた。") for i in range(1, 6)]
    box = [("paragraph", "本ペーパーは有識者の検討を取りまとめたものです。"),
           ("paragraph", "内容は執筆者個人の見解であり、政府の見解ではありません。")]
    assert "文体" not in _cats(_found(_doc(*plain[:3], *box, *plain[3:])))


def test_table_cells_and_headings_get_word_rules_but_no_sentence_rules():
    doc = _doc(("heading", "資料を送って下さい"), ("table", "項目\t内容\n提出\t速やかに提出します。"),
               *[("paragraph", f"第{i}の事項を定める。") for i in range(1, 4)])
    fs = _found(doc)
    assert ("下さい", "ください") in {(f.original, f.suggestion) for f in fs}   # word rule in a heading
    assert "文体" not in _cats(fs)                                              # a table cell is no predicate


def test_references_urls_toc_and_page_furniture_are_never_checked():
    doc = _doc(("paragraph", "目次\t1"), ("paragraph", "はじめに……………………3"),
               ("heading", "参考文献"),
               ("paragraph", "(1) Zero Trust Architecture， NIST SP 800-207 (2020)"),
               ("paragraph", "https://example.go.jp/docs/a,b.pdf"),
               ("paragraph", "McCarthy, J., et al., (2006), “A Proposal”, AI Magazine"))
    assert _found(doc, "koyobun") == []
    pdf = _doc(*[("paragraph", t) for p in range(4)
                 for t in ("政府ＣＩＯ補佐官等ディスカッションペーパー２０２１年８月", f"本文{p}の説明です。", str(p + 1))],
               fmt="pdf", pages=True)
    fs = _found(pdf, "koyobun")
    assert not [f for f in fs if "ペーパー" in pdf.text[max(0, f.start - 20):f.end + 5]]


def test_long_sentence_hint_once_per_paragraph_and_only_in_body_text():
    long_ = "本事業は、" + "、".join(["地域の相談に対応し"] * 14) + "、成果を上げた。"
    longer = "本事業は、" + "、".join(["地域の相談に丁寧に対応し"] * 14) + "、成果を上げた。"
    doc = _doc(("paragraph", long_ + longer), ("note", long_), ("table", long_), ("heading", long_))
    hints = [f for f in _found(doc) if f.category == "長文"]
    assert [(h.original, h.severity) for h in hints] == [(longer, "hint")]


def test_law_titles_and_structure_choose_the_horei_profile():
    law = _doc(("title", "法 制 審 議 会 令"), ("paragraph", "（昭和二十四年五月三十一日政令第百三十四号）"),
               ("paragraph", "第一条　審議会は、委員二十人以内で組織する。"))
    assert choose_profile(law).profile == "horei"
    assert choose_profile(_doc(("title", "商法等の改正に関する要綱案"), ("paragraph", "第１　電子化"))).profile == "horei"
    assert choose_profile(_doc(("title", "○厚生労働省告示第五十六号"), ("paragraph", "次のように改める。"))).profile == "horei"
    assert choose_profile(_doc(("title", "データ活用の方法"), ("paragraph", "方法を示す。"))).profile == "koyobun"
    assert choose_profile(_doc(*FULL)).profile == "koyobun"


def test_horei_profile_keeps_law_terms_and_long_articles():
    article = ("第三条　前条の規定により届出をした者は、その届出に係る事項に変更があった時は、当該変更の日から"
               "三箇月以内に、その旨を、主務省令で定める事項を記載した届出書に記載して、当該届出に係る事務を所掌する"
               "行政機関の長、又は当該行政機関の長が指定する者に、届け出なければならない。ただし、届け出た物が滅失した場合、又は当該事項が軽微なものである場合、"
               "その他政令で定める場合は、この限りでない。")
    law = _doc(("title", "サンプル法"), ("paragraph", article), ("paragraph", "附　則"))
    res = check_document(law)
    assert res.profile == "horei" and res.findings == []
    as_koyobun = check_document(law, "koyobun")
    assert as_koyobun.profile == "koyobun" and _cats(as_koyobun.findings) >= {"長文", "形式名詞"}


@pytest.mark.parametrize("text, original, suggestion, category", [
    ("会議は2、3日後に開催します。", "2、3", "二、三", "数字"),
    ("参加者は４、５人程度を見込む。", "４、５", "四、五", "数字"),
    ("課題の1つは人材の確保である。", "1", "一", "数字"),
    ("手数料は15000円とする。", "15000", "15,000", "数字"),
    ("必らず提出すること。", "必らず", "必ず", "送り仮名"),
    ("少くとも3日前までに提出する。", "少く", "少なく", "送り仮名"),
    ("全たく問題はない。", "全たく", "全く", "送り仮名"),
    ("所で、次の議題に移る。", "所", "ところ", "接続詞"),
    ("或いは、延期する。", "或いは", "あるいは", "接続詞"),
    ("検討しなかったとは言えない。", "なかったとは言えない", "なかったとは言えない", "二重否定"),
    ("主体毎に整理する。", "毎", "ごと", "常用漢字表外"),
    ("三ヶ月以内に提出する。", "ヶ", "箇", "か月・か所"),
])
def test_open_families_are_rules(text, original, suggestion, category):
    assert (original, suggestion, category) in {(f.original, f.suggestion, f.category) for f in check_text(text)}


@pytest.mark.parametrize("text", [
    "第1、3号の規定を準用する。",          # not consecutive: an enumeration
    "第1、2項の規定を準用する。",          # after 第
    "2024年度の予算は12345千円である。",   # 千円 is not a counter the grouping rule knows
    "電話番号は03-1234-5678です。",
    "数箇所で同様の事例があった。",        # 箇 after 漢数字 is right
    "研究開発を牽引（けんいん）する。",    # 表外字 with its reading given
    "2023年11月に公表した。",
])
def test_number_and_kanji_traps(text):
    assert check_text(text) == []
