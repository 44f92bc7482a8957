"""eval/summary/blind/score.py judges points itself: a summariser cannot pass it by how it
labels its own output."""
from __future__ import annotations

from pathlib import Path

from gennai_desktop.core.document import Block, Document, Location, table_text
from gennai_desktop.tasks.results import SummaryPoint
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
score = load_script(ROOT / "eval" / "summary" / "blind" / "score.py", "blind_score")

DOC = Document.from_blocks([
    Block("b0000", "paragraph", "1　はじめに\n本報告は、地域交通の維持策を取りまとめたものである。", page=1),
    Block("b0001", "paragraph", "地方部のバス路線は、令和4年度までの5年間で", page=1),
    Block("b0002", "paragraph", "約1割が廃止されています 3 。国は、路線の再編を支援する。", page=2),
    Block("b0003", "caption", "図1　地方部のバス路線数の推移を示したものである。", page=2),
    Block("t0004", "table", table_text((("年度", "路線数"), ("令和元年度", "1200本であった。"))),
          rows=(("年度", "路線数"), ("令和元年度", "1200本であった。")), page=2),
    Block("b0005", "paragraph", "取組は次のとおりである。", page=3),
    Block("b0006", "list_item", "・路線の再編。あわせて運賃を見直す。", page=3),
    Block("b0007", "list_item", "・デマンド交通の導入", page=3),
    Block("b0008", "paragraph", "国は、補助を拡充しました²。運賃の見直しも行った[4](#fn4)。", page=3),
], fmt="pdf")


def _judge(text, *ids, items=(), page=None):
    cites = tuple(Location(i, page if page is not None else DOC.block(i).page, None) for i in ids)
    return score.judge(DOC, SummaryPoint(text, cites, items=tuple(items)))


def test_whole_sentences_are_clean_and_correctly_cited():
    j = _judge("国は、路線の再編を支援する。", "b0002")
    assert j.clean and j.cited_ok
    j = _judge("約1割が廃止されています。", "b0002")       # footnote marker left out: still cited
    assert j.cited_ok and not j.clean and j.why == "starts mid-sentence"
    for text in ("国は、補助を拡充しました。", "運賃の見直しも行った。"):   # footnote marks left out
        j = _judge(text, "b0008")
        assert j.clean and j.cited_ok, text


def test_fragments_captions_tables_and_glued_headings_are_not_clean():
    assert _judge("地方部のバス路線は、令和4年度までの5年間で", "b0001").why == "ends mid-sentence"
    assert _judge("図1　地方部のバス路線数の推移を示したものである。", "b0003").why.startswith("kind caption")
    assert not _judge("1200本であった。", "t0004").clean
    assert _judge("1　はじめに\n本報告は、地域交通の維持策を取りまとめたものである。", "b0000").why == "heading glued"
    assert _judge("本報告は、地域交通の維持策を取りまとめたもの…", "b0000").why == "cut"


def test_citations_must_hold_the_text_on_the_cited_page():
    assert not _judge("国は、路線の再編を支援する。", "b0001").cited_ok      # another block
    assert not _judge("国は、路線の再編を支援する。", "b0002", page=1).cited_ok   # wrong page
    assert not _judge("国は、路線の廃止を支援する。", "b0002").cited_ok      # not what it says


def test_list_items_may_be_shortened_but_must_start_an_item():
    ok = _judge("取組は次のとおりである。", "b0005", "b0006", "b0007", items=["路線の再編。…", "デマンド交通の導入"])
    assert ok.clean and ok.cited_ok
    bad = _judge("取組は次のとおりである。", "b0005", "b0006", "b0007", items=["路線の再編。", "デマンド交通の導入"])
    assert bad.why == "item not whole"


def test_facts_count_within_one_point_with_partial_credit():
    texts = [score.ns("令和元年８月19日に通知した。"), score.ns("10月1日から適用する。")]
    assert score.fact_score("令和元年8月19日;通知", texts) == 1.0      # NFKC: full-width digits match
    assert score.fact_score("令和元年8月19日;10月1日", texts) == 0.5    # the terms in two points
    assert score.fact_score("告示第85号", texts) == 0.0
    assert score.fact_score("MLETR|ＭＬＥＴＲ;適用", [score.ns("ＭＬＥＴＲを適用する。")]) == 1.0


def test_a_sentence_over_two_consecutive_cited_blocks_is_whole_but_not_a_fragment():
    doc = Document.from_blocks([
        Block("b0000", "paragraph", "標記について、「留意事項について」", page=1),
        Block("b0001", "paragraph", "（令和4年3月4日付け）を改正し、周知をお願いいたします。次の文である。", page=1),
    ], fmt="pdf")
    cites = (Location("b0000", 1, None), Location("b0001", 1, None))
    j = score.judge(doc, SummaryPoint("標記について、「留意事項について」（令和4年3月4日付け）を改正し、周知をお願いいたします。", cites))
    assert j.clean and j.cited_ok
    j = score.judge(doc, SummaryPoint("（令和4年3月4日付け）を改正し、周知をお願いいたします。", cites[1:]))
    assert not j.clean
    j = score.judge(doc, SummaryPoint("標記について、「留意事項について」（令和4年3月4日付け）を改正し、周知をお願いいたします。", cites[:1]))
    assert not j.cited_ok and not j.clean


def test_a_sentence_over_a_run_of_cited_lines_is_one_text_and_must_be_whole():
    doc = Document.from_blocks([
        Block("b0000", "paragraph", "例えば、ある県では、令和５年８月に", page=1),
        Block("b0001", "paragraph", "職員向けの利活用指針を作成するとと", page=1),
        Block("b0002", "paragraph", "もに、活用事例の共有も進めています。", page=1),
    ], fmt="pdf")
    whole = "例えば、ある県では、令和５年８月に職員向けの利活用指針を作成するとともに、活用事例の共有も進めています。"
    cites = tuple(Location(b, 1, None) for b in ("b0000", "b0001", "b0002"))
    j = score.judge(doc, SummaryPoint(whole, cites))
    assert j.clean and j.cited_ok
    tail = "職員向けの利活用指針を作成するとともに、活用事例の共有も進めています。"
    j = score.judge(doc, SummaryPoint(tail, cites[1:]))
    assert not j.clean                                        # starts mid-sentence
    j = score.judge(doc, SummaryPoint(whole, cites[:2]))
    assert not j.cited_ok                                     # the last line is not cited


def test_a_whole_list_item_is_clean_only_when_the_summary_says_its_points_are_items():
    point = SummaryPoint("デマンド交通の導入", (Location("b0007", 3, None),))
    assert not score.judge(DOC, point).clean                  # no sentence end: a fragment
    j = score.judge(DOC, point, items_stated=True)
    assert j.clean and j.cited_ok
    assert not score.judge(DOC, SummaryPoint("交通の導入", (Location("b0007", 3, None),)), items_stated=True).clean
    assert not score.judge(DOC, SummaryPoint("地方部のバス路線は、令和4年度までの5年間で",
                                             (Location("b0001", 1, None),)), items_stated=True).clean


def test_an_article_starts_a_sentence_whatever_the_reader_glued_before_it():
    """A PDF reader put the caption of 第二条 at the end of 第一条's block (「…組織する。（委員）」):
    the next block's 「第二条　委員は、…」 starts a provision, not the middle of a sentence."""
    law = Document.from_blocks([
        Block("b0000", "list_item", "第一条　審議会は、委員二十人以内で組織する。（委員）", page=1),
        Block("b0001", "list_item", "第二条　委員は、学識経験のある者のうちから、法務大臣が任命する。", page=1),
        Block("b0002", "list_item", "委員は、再任されることができる", page=1),
        Block("b0003", "list_item", "非常勤とする。", page=1),
    ], fmt="pdf")
    j = score.judge(law, SummaryPoint("第二条　委員は、学識経験のある者のうちから、法務大臣が任命する。",
                                      (Location("b0001", 1, None),)))
    assert j.clean, j.why
    j = score.judge(law, SummaryPoint("非常勤とする。", (Location("b0003", 1, None),)))
    assert not j.clean and j.why == "starts mid-sentence"         # a block without an article label still joins


def test_the_info_line_is_cited_only_when_each_piece_stands_in_a_cited_block():
    info = SummaryPoint("地域交通の維持策", (Location("b0000", 1, None),))
    assert score.info_cited(DOC, info)
    wrong = SummaryPoint("地域交通の維持策　令和9年度", (Location("b0000", 1, None),))
    assert not score.info_cited(DOC, wrong)
