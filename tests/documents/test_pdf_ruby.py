"""Ruby (furigana), chapter tabs and raised footnote lists in real 白書 PDFs: furigana are kept
on the block, not in its text; the line pdfium cut at the ruby is whole again; the digit of a
chapter tab in the margin and a footnote list 「¹、2、3」 are not body digits."""
from __future__ import annotations

import pytest

from gennai_desktop.documents import load_document
from gennai_desktop.proofread.document_check import check_document


@pytest.fixture(scope="module")
def ch1(corpus):
    return load_document(corpus / "real" / "hakusho_mext_st_r6_ch1.pdf")


@pytest.fixture(scope="module")
def ch3(corpus):
    return load_document(corpus / "real" / "hakusho_mext_st_r6_ch3.pdf")


def _glossed(doc):
    return [(b.text[s:e], r, b) for b in doc.blocks for s, e, r in b.ruby]


def test_ruby_is_on_the_block_not_in_its_text_and_the_cut_line_is_whole(ch3):
    # p3: 「…研究開発を牽引」「けんいん」(5 pt, above)「する」 were two paragraphs, ruby dropped
    block = next(b for b in ch3.blocks if "研究開発を牽引" in b.text)
    assert "研究開発を牽引する" in block.text and "けんいん" not in block.text
    assert ("牽引", "けんいん") in [(w, r) for w, r, b in _glossed(ch3) if b is block]
    assert [w for w, r, _ in _glossed(ch3)] == ["牽引", "牽引", "牽引"]
    assert all("けんいん" not in b.text for b in ch3.blocks)


def test_ruby_over_each_character_and_over_a_word(ch1):
    pairs = [(w, r) for w, r, _ in _glossed(ch1)]
    assert ("俯瞰図", "ふかんず") in pairs                   # one reading over the word
    assert ("流", "りゅう") in pairs and ("暢", "ちょう") in pairs   # one per character
    assert ("繹", "えき") in pairs
    block = next(b for b in ch1.blocks if "演繹型" in b.text)   # was 「…演」「繹」「型の…」
    assert "解釈・推論するような演繹型の仕組み" in block.text


def test_a_glossed_out_of_list_kanji_is_not_a_finding(ch1, ch3):
    for doc in (ch1, ch3):
        flagged = [doc.text[f.start:f.end] for f in check_document(doc).findings if f.category == "常用漢字表外"]
        assert "牽引" not in flagged


def test_chapter_tab_digit_in_the_margin_is_furniture(ch3):
    # even pages carry 「第」「３」「章」 one character a line in the outer margin
    assert "プラットフォーム」として" in ch3.text and "プラット３" not in ch3.text
    assert "主なポイントは以下" in ch3.text and "採択" in ch3.text and "採３択" not in ch3.text
    tabs = [f for f in ch3.furniture if f.kind == "header" and "第\n３\n章" in f.text]
    assert len(tabs) >= 6


def test_raised_footnote_list_is_one_superscript_mark(ch3):
    assert "採択されました¹,²,³。" in ch3.text
    digits = [ch3.text[f.start:f.end] for f in check_document(ch3).findings if f.category == "全角半角"]
    assert "2" not in digits and "3" not in digits


def test_paragraph_joined_across_a_break_when_the_column_has_hanging_brackets(corpus, ch3):
    # 「（１）」「（２）」 items hang their bracket half an em left of the body lines: the body
    # lines are at the column's margin, not indented, so the paragraph cut by the break goes on
    doc = load_document(corpus / "real" / "shian_moj_chukan_shian_hosoku.pdf")
    assert any("負担が発生することが予想されることに加えて" in b.text for b in doc.blocks)
    assert any("性質の一つを定めるものであり" in b.text for b in doc.blocks)
    assert any("踏まえ、12月には再度Ｇ７デジタル" in b.text for b in ch3.blocks)
