"""PDF reading through the sandboxed child: pages, paragraphs, encryption, limits."""
from __future__ import annotations

import difflib
import re
import sys

import pytest

from gennai_desktop.core.errors import DocumentError
from gennai_desktop.documents import load_document
from gennai_desktop.documents.limits import Limits
from gennai_desktop.documents.pdf_blocks import paragraphs_of
from gennai_desktop.documents.pdf_layout import Page, find_furniture, lines_of

LAWS = ["law_nihonkoku-kenpo_321CONSTITUTION", "law_denshi-shomei_412AC0000000102",
        "law_gyosei-tetsuzuki_405AC0000000088"]


def _squash(s: str) -> str:
    return re.sub(r"\s", "", s)


@pytest.mark.parametrize("name", LAWS)
def test_pages_and_text_match_the_txt(ja_corpus, name):
    doc = load_document(ja_corpus / f"{name}.pdf")
    assert doc.format == "pdf" and doc.page_count and doc.page_count > 1
    assert doc.pages == list(range(1, doc.page_count + 1))  # every page yields a block
    assert all(b.page is not None for b in doc.blocks)
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages)
    ref = _squash((ja_corpus / f"{name}.txt").read_text(encoding="utf-8"))
    assert difflib.SequenceMatcher(None, _squash(doc.text), ref, autojunk=False).ratio() > 0.97


def test_paragraphs_are_rebuilt_from_wrapped_lines(ja_corpus):
    doc = load_document(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")
    txt_lines = set((ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.txt").read_text(encoding="utf-8").splitlines())
    # The preamble's first paragraph wraps over 7 lines in the PDF and is one line in the .txt.
    first = next(b for b in doc.blocks if b.text.startswith("日本国民は、正当に選挙された"))
    assert first.text in txt_lines
    assert "\n" not in first.text
    # most multi-line body paragraphs equal a .txt line exactly (or its text after 第N条　)
    bodies = [b.text for b in doc.blocks if len(b.text) > 60]
    exact = sum(1 for t in bodies if t in txt_lines or any(ln.endswith("　" + t) for ln in txt_lines))
    assert exact / len(bodies) > 0.95
    # 「②　」: the ideographic space the PDF drew as a gap is restored, not an ASCII space
    assert any(b.text.startswith("②\u3000") for b in doc.blocks)
    assert not any(b.text.startswith("② ") for b in doc.blocks)


def test_headings_from_font_size(ja_corpus):
    doc = load_document(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")
    headings = [b for b in doc.blocks if b.kind == "heading"]
    assert doc.title == "日本国憲法"
    assert any(h.text == "第一章　天皇" for h in headings)
    ninth = next(b for b in doc.blocks if "国権の発動たる戦争" in b.text)
    # an article number on its own line is a heading under its chapter, as in the .docx
    assert ninth.heading_path[-2:] == ("第二章　戦争の放棄", "第九条")


def test_large_pdf_with_tables(ja_corpus):
    doc = load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.pdf")
    assert doc.page_count == 85 and doc.pages == list(range(1, 86))


def test_owner_password_only_pdf_is_readable(malformed_corpus):
    doc = load_document(malformed_corpus / "gen-encrypted-ownerpw-rc4.pdf")
    assert "日本語の本文" in doc.text


def test_user_password_pdf_is_encrypted_error(malformed_corpus):
    with pytest.raises(DocumentError) as err:
        load_document(malformed_corpus / "gen-encrypted-aes256.pdf")
    assert err.value.key == "documents.error.encrypted"


def test_wall_clock_timeout_kills_child(ja_corpus):
    with pytest.raises(DocumentError) as err:
        load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.pdf",
                      limits=Limits(pdf_wall_seconds=0.01))
    assert err.value.key == "documents.error.timeout"


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX only")
def test_memory_cap_in_child_becomes_document_error(ja_corpus):
    with pytest.raises(DocumentError) as err:
        load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.pdf",
                      limits=Limits(pdf_memory_bytes=15 * 1024 ** 2))
    assert err.value.key in ("documents.error.resource_limit", "documents.error.corrupt")


def test_page_limit(ja_corpus):
    with pytest.raises(DocumentError) as err:
        load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.pdf", limits=Limits(max_pdf_pages=10))
    assert err.value.key == "documents.error.too_many_pages"
    # the message names the cap (10), not the file's page count as if it were the cap
    msg = err.value.message("ja")
    assert "上限: 10 ページ" in msg and "85 ページ" in msg, msg


# -- paragraph grouping on synthetic line records ----------------------------------------------

def _line(text, x0, y0, x1, y1, size=10.5, vert=0):
    return [text, x0, y0, x1, y1, size, vert, [0, 400, 0]]


def _split_paragraphs(records, width=None, height=None):
    paras = paragraphs_of(lines_of(1, {"lines": records, "fonts": ["MS-Mincho"]}), 1, 0)
    return [[ln.rec for ln in p.lines] for p in paras]


def drop_page_numbers(records, width=595.0, height=842.0):
    page = Page(1, width, height, lines_of(1, {"lines": records}))
    find_furniture([page])
    return [ln.rec for ln in page.lines]


def test_split_horizontal_by_line_end_and_gap():
    lines = [
        _line("一行目は右端まで届く長い行で", 70, 700, 520, 690),
        _line("続きの行。", 70, 682, 200, 672),          # ends short → paragraph ends here
        _line("次の段落は右端まで届く行で", 70, 664, 520, 654),
        _line("ここで大きな間隔の後の行", 70, 620, 520, 610),  # big gap → new paragraph
    ]
    paras = _split_paragraphs(lines)
    assert [[ln[0] for ln in p] for p in paras] == [
        ["一行目は右端まで届く長い行で", "続きの行。"],
        ["次の段落は右端まで届く行で"],
        ["ここで大きな間隔の後の行"],
    ]


def test_split_vertical_text_columns():
    # tategaki: columns right to left; a column that reaches the bottom continues
    lines = [
        _line("縦書きの一列目", 500, 800, 510, 100, vert=1),
        _line("続き。", 482, 800, 492, 700, vert=1),
        _line("次の段落", 464, 800, 474, 100, vert=1),
    ]
    paras = _split_paragraphs(lines)
    assert [[ln[0] for ln in p] for p in paras] == [["縦書きの一列目", "続き。"], ["次の段落"]]


def test_single_long_line_is_not_taken_for_a_margin():
    # three one-line paragraphs; only the first is long. No wrap margin is proven.
    lines = [
        _line("第一条　長い一行の段落である。", 513, 660, 524, 242, 11.0, 1),
        _line("第二条　短い段落。", 489, 660, 500, 352, 11.0, 1),
        _line("第三条　施行。", 464, 660, 475, 429, 11.0, 1),
    ]
    assert len(_split_paragraphs(lines, 612, 792)) == 3


def test_vertical_writing_pdf_keeps_columns_in_order():
    from pathlib import Path

    from gennai_desktop.documents.pdf_reader import run_worker

    path = Path(__file__).parent / "data" / "tate-vertical.pdf"
    lines = run_worker(path)["pages"][0]["lines"]
    assert all(ln[6] == 1 for ln in lines if ln[0].strip())  # detected as vertical
    doc = load_document(path)
    assert [b.text[:3] for b in doc.blocks] == ["第一条", "第二条", "第三条"]
    assert doc.blocks[0].text.endswith("確かめるためのものである。")


@pytest.mark.parametrize("number", ["- 3 -", "３", "3 / 10", "－１２－", "p. 4", "5ページ", "ii"])
def test_page_numbers_at_page_edges_are_dropped(number):
    lines = [_line("本文の行。", 70, 700, 200, 690), _line(number, 290, 40, 300, 30)]
    assert [ln[0] for ln in drop_page_numbers(lines)] == ["本文の行。"]


def test_numbers_inside_text_and_lonely_numbers_are_kept():
    lines = [_line("第3条", 70, 700, 100, 690), _line("本文", 70, 680, 100, 670), _line("2026年", 70, 660, 100, 650)]
    assert len(drop_page_numbers(lines)) == 3
    only = [_line("7", 290, 40, 300, 30)]
    assert drop_page_numbers(only) == only


def test_a_broken_pdf_is_explained_without_pdfium_english(malformed_corpus):
    from gennai_desktop.core.errors import DocumentError
    from gennai_desktop.core.i18n import set_language
    from gennai_desktop.documents import load_document
    set_language("ja")
    try:
        with pytest.raises(DocumentError) as info:
            load_document(malformed_corpus / "gen-truncated.pdf")
        msg = info.value.message("ja")
        assert "PDF のデータ形式が正しくありません" in msg and "PDFium" not in msg and "Failed" not in msg
    finally:
        set_language("ja")
