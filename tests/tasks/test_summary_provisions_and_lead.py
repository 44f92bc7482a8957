"""要約 without a model, round 5: a law's or 規程's provisions are key sentences too — a short
article that is a whole clause, an article after a caption the reader glued to the one
before, the purpose article that speaks of itself past its 第一条 label, and the 附則 sentence
that says when the law takes effect — and a report's opening stretch (its 背景/はじめに)
weighs more than the same sentence further on."""
from __future__ import annotations

import pytest

from gennai_desktop.core.document import Block, Document
from gennai_desktop.tasks import keypoints
from gennai_desktop.tasks.extractive import SentenceTable
from gennai_desktop.tasks.summarize import summarize
from tests.support.events import run_to_result


def _doc(blocks: list[tuple[str, str]], fmt: str = "txt") -> Document:
    return Document.from_blocks([Block(f"b{i:04d}", kind, text, page=1)  # type: ignore[arg-type]
                                 for i, (kind, text) in enumerate(blocks)], fmt=fmt, title="規則")


def _index_of(table: SentenceTable, needle: str) -> int:
    return next(i for i, s in enumerate(table.sentences) if needle in s.text)


def test_a_short_article_that_is_a_whole_clause_may_be_a_point():
    doc = _doc([("title", "審議会議事規則"),
                ("paragraph", "第１条　会議は、会長が招集する。"),
                ("paragraph", "第３条　会議は、公開しない。"),
                ("paragraph", "第一章　総則"),
                ("paragraph", "（委員）"),
                ("paragraph", "第６条　議事録は、幹事が作成する。")])
    table = SentenceTable(doc)
    found = {table.sentences[i].text for i in table.candidates()}
    assert {"第１条　会議は、会長が招集する。", "第３条　会議は、公開しない。",
            "第６条　議事録は、幹事が作成する。"} <= found
    assert not any(t in found for t in ("第一章　総則", "（委員）"))        # headings and captions stay out
    assert set(keypoints.candidates(table)) >= {_index_of(table, "公開しない")}


def test_an_article_starts_its_own_sentence_after_a_caption_glued_to_the_one_before():
    """A PDF reader gave 「…組織する。（委員）」: the caption of 第二条 at the end of 第一条's block.
    第二条 does not carry on that block's unfinished text."""
    doc = _doc([("title", "審議会令"),
                ("list_item", "第一条　審議会は、委員二十人以内で組織する。（委員）"),
                ("list_item", "第二条　委員は、学識経験のある者のうちから、法務大臣が任命する。"),
                ("list_item", "２　委員の任期は、二年とする。")], fmt="pdf")
    table = SentenceTable(doc)
    assert table.whole(_index_of(table, "法務大臣が任命する"))
    assert _index_of(table, "法務大臣が任命する") in keypoints.candidates(table)


ARTICLES = [("title", "電子文書法"),
            ("paragraph", "目次"),
            ("paragraph", "第一章　総則（第一条・第二条）"),
            ("paragraph", "附則"),
            ("heading", "第一章　総則"),
            ("paragraph", "第一条　この法律は、電子文書の保存に関し必要な事項を定め、もって行政の効率化に資することを"
                           "目的とする。"),
            ("paragraph", "第二条　この法律において「電子文書」とは、電磁的記録により作成された文書をいう。"),
            ("paragraph", "第三条　主務大臣は、電子文書の保存の方法について、主務省令で基準を定めることができる。"),
            ("paragraph", "第四条　主務大臣は、前条の基準に適合しない電子文書の保存をする者に対し、改善を命ずることが"
                           "できる。"),
            ("paragraph", "第五条　主務大臣は、電子文書の保存の状況について、報告を求め、又は立入検査をさせることが"
                           "できる。"),
            ("paragraph", "第六条　主務大臣は、電子文書の保存に関する事務の一部を、指定機関に行わせることができる。"),
            ("paragraph", "第七条　指定機関は、電子文書の保存に関する事務を行うときは、主務大臣の承認を受けなければ"
                           "ならない。"),
            ("paragraph", "第八条　主務大臣は、指定機関の承認を取り消すことができる。"),
            ("paragraph", "附　則"),
            ("paragraph", "第一条　この法律は、令和七年四月一日から施行する。"),
            ("paragraph", "第二条　この法律の施行前にした行為に対する罰則の適用については、なお従前の例による。")]


def test_the_purpose_article_and_the_enacting_sentence_are_points_of_a_law():
    """The purpose article speaks of itself past its 第一条 label, and the 附則's enacting
    sentence (when the law takes effect) competes as main text, the rest of the 附則 does not."""
    result = run_to_result(summarize(_doc(ARTICLES[:1] + ARTICLES[4:]), None, style="bullets", length="short"))
    texts = [p.text for p in result.points]
    assert any("目的とする" in t for t in texts), texts
    assert any("令和七年四月一日から施行する" in t for t in texts), texts
    assert not any("なお従前の例による" in t for t in texts), texts      # the rest of the 附則 stays last


def test_the_supplementary_provisions_begin_after_the_articles_not_at_the_table_of_contents():
    table = SentenceTable(_doc(ARTICLES))
    start = keypoints._supplementary_start(table)
    assert table.sentences[start].text.startswith("第一条　この法律は、令和七年四月一日")
    assert keypoints._enacting(table, start) == start


def _report(n: int) -> Document:
    """A report of ``n`` sentences of one shape, so only position tells them apart."""
    subjects = ["道路", "橋梁", "河川", "港湾", "公園", "下水道", "住宅", "鉄道", "空港", "庁舎"]
    blocks: list[tuple[str, str]] = [("title", "施設の維持管理について")]
    for i in range(n):
        s = subjects[i % len(subjects)]
        blocks.append(("paragraph", f"{s}の維持管理では、第{i + 1}の観点から{s}の点検と記録の方法を見直している。"))
    return _doc(blocks, fmt="docx")


def test_the_opening_stretch_of_a_report_weighs_more(monkeypatch: pytest.MonkeyPatch):
    doc = _report(40)
    with_lead = keypoints.candidates(SentenceTable(doc))
    monkeypatch.setattr(keypoints, "EARLY", 0.0)
    without = keypoints.candidates(SentenceTable(doc))
    order = sorted(with_lead)
    gain = [with_lead[i].score - without[i].score for i in order]
    assert gain[0] == pytest.approx(0.6) and gain[1] > gain[3] > 0      # falling off …
    assert all(g == 0 for g in gain[6:])                                 # … to nothing at 15 %


def test_a_short_text_gets_no_opening_stretch_weight(monkeypatch: pytest.MonkeyPatch):
    doc = _report(10)
    with_lead = keypoints.candidates(SentenceTable(doc))
    monkeypatch.setattr(keypoints, "EARLY", 0.0)
    without = keypoints.candidates(SentenceTable(doc))
    assert all(with_lead[i].score == without[i].score for i in with_lead)


def test_a_chart_axis_line_is_no_section_title():
    """「0 100 200 300 400 500」 — a chart's axis the PDF reader gave as a body line — starts
    no top-level section (its next sentence took the section-lead weight); 「2　国の支援」 does."""
    doc = _doc([("title", "報告"),
                ("paragraph", "1　現状"),
                ("paragraph", "地域交通は、住民の日常生活を支える基盤として重要である。"),
                ("paragraph", "0 100 200 300 400 500"),
                ("paragraph", "路線の再編は、自治体と交通事業者が協議して進めている。"),
                ("paragraph", "2　国の支援"),
                ("paragraph", "国は、協議会の設置を支援する補助金を令和5年度に交付した。")], fmt="pdf")
    table = SentenceTable(doc)
    eligible = set(keypoints.candidates(table))
    sections, _, top_leads, _ = keypoints._positions(table, eligible)
    after_axis, after_title = _index_of(table, "路線の再編"), _index_of(table, "補助金")
    assert sections[after_axis] == "1　現状" and after_axis not in top_leads
    assert sections[after_title] == "2　国の支援" and after_title in top_leads
