"""要約, round 6: the 「文書情報」 line — who issued the document, when, its number and subject,
read from the cover (letterhead, signature, cover page), shown before the points in every
style, cited, and never a point; and a provision's first sentence weighs as its article's lead."""
from __future__ import annotations

import pytest

from gennai_desktop.core.document import Block, Document
from gennai_desktop.tasks import docinfo, keypoints
from gennai_desktop.tasks.extractive import SentenceTable
from gennai_desktop.tasks.summarize import render, summarize
from tests.support.events import run_to_result

BODY = ("標記について、「実施上の留意事項について」を下記のとおり改正し、令和4年4月1日から適用するので、"
        "貴管下の保険医療機関等に対し周知徹底をお願いいたします。")


def _doc(blocks: list[tuple[str, str]], fmt: str = "pdf") -> Document:
    return Document.from_blocks([Block(f"b{i:04d}", kind, text, page=1)  # type: ignore[arg-type]
                                 for i, (kind, text) in enumerate(blocks)], fmt=fmt, title="")


TSUCHI = [("paragraph", "保医発0316第1号"),
          ("paragraph", "令和4年3月16日"),
          ("paragraph", "地方厚生（支）局医療課長"),
          ("paragraph", "都道府県民生主管部（局）長　殿"),
          ("paragraph", "厚生労働省保険局医療課長（公印省略）"),
          ("paragraph", "検査料の点数の取扱いについて"),
          ("paragraph", BODY),
          ("paragraph", "なお、検体採取を行った保険医療機関以外の施設に検査を委託する場合の点数については、"
                        "令和4年7月1日から700点とする予定である。"),
          ("paragraph", "委託した場合は、実施した施設名を診療報酬明細書の摘要欄に記載する。")]


def test_a_letterhead_gives_number_date_issuer_and_subject_but_not_the_addressees():
    info = docinfo.read(_doc(TSUCHI))
    assert info is not None
    assert info.pieces == ("保医発0316第1号", "令和4年3月16日", "厚生労働省保険局医療課長（公印省略）",
                           "検査料の点数の取扱いについて")
    assert "殿" not in info.text and "地方厚生" not in info.text      # whom it is sent to is not who sent it
    assert len(info.citations) == 4 and {c.page for c in info.citations} == {1}


def test_a_signature_after_the_enacting_sentence_on_the_first_page_is_read():
    doc = _doc([("paragraph", "診療報酬の算定方法の一部を改正する件"),
                ("list_item", "○厚生労働省告示第八十五号"),
                ("paragraph", "健康保険法第七十六条第二項の規定に基づき、診療報酬の算定方法の一部を次のように改正し、"
                              "令和元年十月一日から適用する。"),
                ("title", "令和元年八月十九日"),
                ("paragraph", "厚生労働大臣　根本　匠")])
    info = docinfo.read(doc)
    assert info is not None
    assert info.pieces == ("診療報酬の算定方法の一部を改正する件", "厚生労働省告示第八十五号",
                           "令和元年八月十九日", "厚生労働大臣 根本 匠")


def test_body_sentences_and_pages_after_the_first_are_no_cover():
    doc = Document.from_blocks([Block("b0000", "title", "報告書", page=1),
                                Block("b0001", "paragraph", BODY, page=1),
                                Block("b0002", "paragraph", "令和5年3月　厚生労働省保険局医療課", page=2)],
                               fmt="pdf", title="報告書")
    info = docinfo.read(doc)
    assert info is not None and info.pieces == ("報告書",)


def test_a_document_without_cover_lines_has_no_info():
    assert docinfo.read(_doc([("paragraph", BODY)])) is None


@pytest.mark.parametrize("style", ["bullets", "three_lines", "report"])
def test_every_style_shows_the_info_line_first_and_it_is_no_point(style):
    result = run_to_result(summarize(_doc(TSUCHI), None, style=style))
    assert result.info is not None and "保医発0316第1号" in result.info.text
    first = result.text.splitlines()[0]
    assert first.startswith("【文書情報】保医発0316第1号") and first.endswith("（1ページ）")
    assert all(p.text != "保医発0316第1号" for p in result.points)
    assert render(result.points, style, "ja", result.info) == result.text


def test_a_provisions_first_sentence_outweighs_its_later_paragraphs():
    doc = _doc([("title", "審議会議事規則"),
                ("paragraph", "第１条　会議は、会長が招集する。"),
                ("paragraph", "２　会長は、必要と認めるときは、臨時に委員以外の者の出席を求めることができる。"),
                ("paragraph", "第３条　会議は、公開しない。"),
                ("paragraph", "２　前項の規定にかかわらず、会長が認めた場合は、報道関係者の傍聴を許すことができる。")],
               fmt="txt")
    table = SentenceTable(doc)
    cands = keypoints.candidates(table)

    def score(needle: str) -> float:
        return next(c.score for i, c in cands.items() if needle in table.sentences[i].text)

    assert score("公開しない") > score("報道関係者の傍聴")
    assert score("会長が招集する") > score("臨時に委員以外の者")


def test_a_subject_set_on_two_lines_is_one_piece_and_an_enclosure_line_is_none():
    # the reader splits a centred two-line subject; 「別添　…」 names an enclosure, and the
    # tail of its cut line (「年３月５日…第１号）の…」) is no document number of this 通知
    doc = _doc([("paragraph", "保医発0819第10号"),
                ("paragraph", "都道府県民生主管部（局）長　殿"),
                ("paragraph", "厚生労働省保険局医療課長（公印省略）"),
                ("paragraph", "「診療報酬の算定方法の一部改正に伴う実施上の留意事項について」の"),
                ("title", "一部改正について"),
                ("paragraph", BODY),
                ("paragraph", "別添　「診療報酬の算定方法の一部改正に伴う実施上の留意事項について」（平成30"),
                ("paragraph", "年３月５日保医発0305第１号）の一部改正について")])
    info = docinfo.read(doc)
    assert info is not None
    assert info.pieces == ("保医発0819第10号", "厚生労働省保険局医療課長（公印省略）",
                           "「診療報酬の算定方法の一部改正に伴う実施上の留意事項について」の一部改正について")
    assert [c.block_id for c in info.citations] == ["b0000", "b0002", "b0003", "b0004"]
