"""Passages are whole sentences of one paragraph, by block kind (docs/structure.md)."""
from __future__ import annotations

from gennai_desktop.core.document import Block, Document
from gennai_desktop.qa.passages import Passage, make_passages


def _doc(blocks, fmt="pdf"):
    return Document.from_blocks(blocks, fmt=fmt)


def test_pdf_lines_left_open_join_into_one_sentence():
    doc = _doc([Block("b0", "paragraph", "2016年３月に、Microsoft", page=5),
                Block("b1", "paragraph", "社のチャットボットが、サー", page=5),
                Block("b2", "paragraph", "ビス提供開始後約16時間で利用停止となりました。", page=5),
                Block("b3", "paragraph", "次の段落です。", page=5)])
    ps = make_passages(doc)
    sents = [s for p in ps for s in p.sentences]
    assert sents[0].text == "2016年３月に、Microsoft社のチャットボットが、サービス提供開始後約16時間で利用停止となりました。"
    assert sents[0].block == "b0" and sents[0].page == 5
    assert sents[1].text == "次の段落です。" and sents[1].para != sents[0].para


def test_lines_do_not_join_across_pages_or_in_docx():
    pdf = _doc([Block("b0", "paragraph", "前の頁の行", page=1), Block("b1", "paragraph", "次の頁の行。", page=2)])
    assert [s.text for p in make_passages(pdf) for s in p.sentences] == ["前の頁の行", "次の頁の行。"]
    docx = _doc([Block("b0", "paragraph", "見出しのような行"), Block("b1", "paragraph", "本文です。")], fmt="docx")
    assert [s.text for p in make_passages(docx) for s in p.sentences] == ["見出しのような行", "本文です。"]


def test_reader_continued_flag_joins_across_a_page():
    doc = _doc([Block("b0", "paragraph", "頁をまたぐ文の前半と", page=1),
                Block("b1", "paragraph", "後半です。", page=2, continued=True)])
    assert [s.text for p in make_passages(doc) for s in p.sentences] == ["頁をまたぐ文の前半と後半です。"]


def test_kinds_references_urls_code_never_quoted_notes_and_tables_apart():
    doc = _doc([Block("h", "heading", "第１章　総則", level=1),
                Block("b0", "paragraph", "本文の文です。", heading_path=("第１章　総則",)),
                Block("r", "reference", "「報告書」2024年, https://example.org"),
                Block("u", "url", "https://example.org/x"),
                Block("c", "code", "print('x')"),
                Block("n", "note", "※1　注記の文です。", heading_path=("第１章　総則",)),
                Block("t", "table", "都道府県\t人数\n東京\t99\n大阪\t12", rows=(("都道府県", "人数"), ("東京", "99"), ("大阪", "12")))],
               fmt="docx")
    ps = make_passages(doc)
    text = "\n".join(p.text for p in ps)
    assert "example.org" not in text and "print" not in text
    kinds = {p.kind for p in ps}
    assert kinds == {"body", "note", "table"}
    body = next(p for p in ps if p.kind == "body")
    assert body.path == ("第１章　総則",) and body.text == "本文の文です。"
    table = next(p for p in ps if p.kind == "table")
    assert [s.text for s in table.sentences] == ["東京 99", "大阪 12"] and "都道府県 人数" in table.context


def test_passage_round_trips_through_the_index_blob_form():
    doc = _doc([Block("b0", "paragraph", "一つ目の文。二つ目の文。", page=3, heading_path=("見出し",))])
    p = make_passages(doc)[0]
    assert Passage.from_list(p.to_list()) == p


def _rows(*rows):
    return Block("t", "table", "\n".join("\t".join(r) for r in rows), rows=tuple(rows), page=1)


def test_a_note_is_searched_with_the_one_row_that_carries_its_mark():
    """「※2　その他は、…」 under a table explains the row 「※2その他 149」: the note passage is
    searched with that row's words, so 「その他の149人は何か」 finds the note, which answers."""
    doc = _doc([_rows(("都道府県", "陽性者数"), ("東京※1", "99,841"), ("※2その他", "149"), ("大阪※3", "43,722"),
                      ("兵庫※3", "16,357"), ("奈良※3", "3,034")),
                Block("n1", "note", "※2　その他は、長崎県のクルーズ船における陽性者数。", page=1),
                Block("n2", "note", "※3　検査人数は、一部自治体について件数を計上しているため、過大である。", page=1)])
    ps = make_passages(doc)
    note = next(p for p in ps if p.kind == "note" and "クルーズ船" in p.text)
    assert "※2その他 149" in note.context                    # the row that carries ※2
    assert "大阪" not in note.context and "兵庫" not in note.context   # ※3 is carried by three rows: a general remark
    rows = [p for p in ps if p.kind == "table"]
    assert all("クルーズ" not in p.context for p in rows)      # the row is not given the note's words


def test_a_note_mark_on_another_page_is_another_note():
    doc = _doc([Block("b0", "paragraph", "対象は市内の事業者※1とする。", page=1),
                Block("n1", "note", "※1　従業員が10人以上の事業者をいう。", page=2)])
    note = next(p for p in make_passages(doc) if "従業員" in p.text)
    assert "市内の事業者" not in note.context
