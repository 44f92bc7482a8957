"""PDF reading as structure on real documents (pages that are NOT in eval/structure/labels):
two columns, footnotes, furniture, paragraphs across pages, tables, figures, vertical text,
letter-spaced lines, line numbers, tables of contents; and the layout rules on synthetic lines."""
from __future__ import annotations

import pytest

from gennai_desktop.documents import load_document
from gennai_desktop.documents.pdf_blocks import paragraphs_of, url_continues
from gennai_desktop.documents.pdf_layout import Page, assign_frames, lines_of, reading_order


@pytest.fixture(scope="module")
def real(corpus):
    return corpus / "real"


@pytest.fixture(scope="module")
def hakusho1(real):
    return load_document(real / "hakusho_mext_st_r6_ch1.pdf")


def test_two_columns_read_in_order_and_a_paragraph_crosses_the_column_break(hakusho1):
    # p3: the left column ends 「…極めて大規模な深層」, the right one begins 「学習によって作られた…」
    block = next(b for b in hakusho1.blocks if "極めて大規模な深層" in b.text)
    assert "極めて大規模な深層学習によって作られた「基盤モデル」の登場により" in block.text
    assert block.kind == "paragraph" and block.page == 3


def test_footnotes_are_notes_with_superscript_anchors(hakusho1):
    notes = [b for b in hakusho1.blocks if b.page == 3 and b.kind == "note"]
    assert [n.label for n in notes] == ["1", "2", "3", "4"]
    first = notes[0]
    assert first.text.startswith("1\u3000マルチモーダルは") and first.text.endswith("処理すること。")  # two lines, one note
    cited = hakusho1.block(first.anchor)
    assert "モーダル性¹・汎用性の高い「基盤モデル²」" in cited.text     # raised small digits → superscripts


def test_running_header_and_page_number_are_furniture_not_text(hakusho1):
    furniture = {(f.kind, f.text) for f in hakusho1.furniture if f.page == 3}
    assert ("page_number", "6") in furniture
    assert ("header", "第１部\u3000ＡＩがもたらす科学技術・イノベーションの変革") in furniture
    assert "イノベーションの変革" not in hakusho1.text.split("。")[5]
    assert all(f.text not in hakusho1.text for f in hakusho1.furniture if f.kind == "header")


def test_figure_labels_are_image_text_and_captions_are_captions(real):
    doc = load_document(real / "hakusho_mext_st_r6_ch3.pdf")
    page1 = [b for b in doc.blocks if b.page == 1]
    chart = next(b for b in page1 if "232,673" in b.text)
    assert chart.kind == "image_text"
    assert any(b.kind == "caption" and b.text.startswith("■第１-３-１図") for b in page1)
    assert any(b.kind == "caption" and b.text.startswith("資料：") for b in page1)
    # 「第１章で見てきたように」 refers to a chapter: a paragraph, not a numbered item
    assert next(b for b in page1 if b.text.startswith("第１章で見てきたように")).kind == "paragraph"


def test_paragraph_joined_across_a_page_break(real):
    doc = load_document(real / "report_cio_zerotrust.pdf")
    block = next(b for b in doc.blocks if b.text.startswith("外部（インターネット）と遮断されたネットワークでは"))
    assert (block.page, block.page_end) == (4, 5)
    assert "\n" not in block.text


def test_ruled_table_rows_and_cells(real):
    doc = load_document(real / "report_cio_zerotrust.pdf")
    table = next(b for b in doc.blocks if b.kind == "table" and b.page == 3)
    assert table.rows[0] == ("用語", "意味")
    assert table.rows[1][0] == "境界型セキュリティ"          # a cell wrapped over two lines is one cell
    assert table.text.startswith("用語\t意味\n")


def test_new_old_comparison_table_ruled_by_its_columns_only(real):
    # 新旧対照表 continued over pages: three long vertical rules, no horizontal ones
    doc = load_document(real / "kokuji_mhlw_shinryohoshu_shinkyu_r010819.pdf")
    table = next(b for b in doc.blocks if b.kind == "table" and b.page == 4)
    assert len(table.rows[0]) == 2
    left, right = table.rows[0]
    assert "144点" in left and "141点" in right


def test_letter_spaced_document_number_is_joined(real):
    doc = load_document(real / "tsuchi_mhlw_hoihatsu_r010819_10.pdf")
    assert "保医発0819第10号" in doc.text and "保 医 発" not in doc.text
    assert "（公印省略）" in doc.text


def test_margin_line_numbers_are_furniture_and_do_not_cut_sentences(real):
    doc = load_document(real / "hoshin_cao_ai_seido_kangaekata.pdf")
    numbers = [f for f in doc.furniture if f.kind == "line_number" and f.page == 8]
    assert numbers and numbers[0].text.startswith("1\n2\n3")
    block = next(b for b in doc.blocks if b.text.startswith("「AI 事業者ガイドライン（第 1.0 版）"))
    assert "関係者による自主的な取組を促し、非拘束的なソフトロー" in block.text
    heading = next(b for b in doc.blocks if b.page == 8 and b.text.startswith("（１）AI 事業者ガイドラインの趣旨"))
    assert heading.kind == "heading" and heading.label == "（１）"


def test_vertical_writing_items_and_columns_in_order(real):
    doc = load_document(real / "kokuji_mhlw_tokkei_shisetsu_r04_vertical.pdf")
    page3 = [b for b in doc.blocks if b.page == 3]
    items = [b for b in page3 if b.kind == "list_item" and b.label in ("イ", "ロ", "ハ")]
    assert [b.label for b in items] == ["イ", "ロ", "ハ"]
    assert items[0].text.endswith("配置されていること。")   # the column and its hanging continuation
    page4 = [b.text[:3] for b in doc.blocks if b.page == 4]
    assert page4.index("ニ当該") < page4.index("ホ当該") < page4.index("(1)")   # right to left


def test_table_of_contents_entries_stay_apart(real):
    doc = load_document(real / "report_cio_cloudlocation.pdf")
    toc = [b for b in doc.blocks if b.page == 2]
    assert any(b.text.startswith("目次 ....") and b.text.rstrip().endswith("i") for b in toc)
    assert any(b.kind == "list_item" and b.text.startswith("１ はじめに") for b in toc)


def test_speaker_turns_of_minutes_are_labelled_paragraphs(real):
    doc = load_document(real / "gijiroku_moj_shoho_bukai16.pdf")
    turn = next(b for b in doc.blocks if b.text.startswith("○藤田部会長"))
    assert turn.kind == "paragraph" and turn.label == "○藤田部会長"


# -- the rules on synthetic lines ---------------------------------------------------------------

def _rec(text, x0, top, x1, bottom, size=10.5):
    return [text, x0, top, x1, bottom, size, 0, [0, 400, 0]]


def test_a_boxed_paragraph_wraps_at_the_box_not_at_the_page_margin():
    recs = [_rec("本文の行は右の余白まで届く長い行である本文の行は右の余白まで", 70, 700, 520, 690),
            _rec("届いて終わる。", 70, 683, 160, 673),
            _rec("枠の中の文は枠の右端で折り返す文である枠の", 80, 640, 480, 630),
            _rec("中で続く。", 80, 623, 140, 613)]
    page = Page(1, 595, 842, lines_of(1, {"lines": recs}))
    assign_frames(page, [[75, 600, 485, 650]])
    paras = paragraphs_of(page.lines, 1, 0)
    assert [len(p.lines) for p in paras] == [2, 2]


def test_wrapped_urls_continue_only_with_address_characters():
    assert url_continues("https://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-", "207-draft.pdf)")
    assert url_continues("https://media.defense.gov/2019/Jul/09/2002155219/-1/-", "1/0/DIB_X.PDF")
    assert not url_continues("arXiv. https://arxiv.org/abs/1706.03762", "3\u3000Bidirectional Encoder")
    assert not url_continues("詳しくは次を参照。", "https://example.go.jp/")


def test_text_drawn_as_glyph_outlines_counts_as_a_picture_for_ocr(real):
    from gennai_desktop.documents.pdf_reader import run_worker
    from gennai_desktop.ocr.pages import page_needs_ocr

    page = run_worker(real / "tsuchi_mhlw_hoihatsu_r040316_outline.pdf")["pages"][1]
    assert not page["lines"] and page["img"] == 1.0       # no text layer, no image: outlines
    assert page_needs_ocr(page["lines"], page["img"])


def test_a_sentence_the_layout_cannot_join_across_a_page_break_is_marked_continued(real):
    # 補足説明 p7 begins mid-word (「…利」 / 「用及び支配の移転…」) under a different page layout
    doc = load_document(real / "shian_moj_chukan_shian_hosoku.pdf")
    block = next(b for b in doc.blocks if b.text.startswith("用及び支配の移転をすることができない"))
    assert block.continued and block.page == 7
    starts = [b for b in doc.blocks if b.kind == "heading" or b.label]
    assert starts and not any(b.continued for b in starts)


# -- tables in panels, boxed columns, slide titles (issue 20, third round) ----------------------

def test_a_ruled_table_on_a_panel_with_its_title_is_a_table_of_terms_and_definitions(hakusho1):
    # 白書 ch1 p7: 第1-1-7表 drawn as cell rectangles on a shaded panel that also frames the
    # title and the 資料 line; pdfium runs each term into its definition without a space
    table = next(b for b in hakusho1.blocks if b.page == 7 and b.kind == "table")
    assert table.rows is not None and len(table.rows) == 8
    assert all(len(row) == 2 for row in table.rows)
    assert table.rows[0][0] == "機械学習"
    assert table.rows[0][1].startswith("人間の学習に相当する仕組み")
    assert "総称を指す。（※）ＡＩモデル：" in table.rows[3][1]   # the cell's hanging 「（※）…」 note stays in it
    assert not any(b.page == 7 and b.kind == "paragraph" and b.text.startswith("機械学習") for b in hakusho1.blocks)


def test_a_boxed_column_in_small_print_is_paragraphs_not_a_picture(real):
    # 白書 ch5 p4: コラム１-６ set at 9 pt (body 10.5) in a box under the page's banner
    doc = load_document(real / "hakusho_mext_st_r6_ch5.pdf")
    on_page = [b for b in doc.blocks if b.page == 4]
    assert not any("2022年（令和４年）11月" in b.text for b in on_page if b.kind == "image_text")
    first = next(b for b in on_page if b.text.startswith("2022年（令和４年）11月"))
    assert first.kind == "paragraph" and first.text.endswith("急速に影響を与えています。")
    assert sum(1 for b in on_page if b.kind == "paragraph" and len(b.text) > 100) >= 3


def test_footnotes_across_the_gutter_do_not_make_a_two_column_page_one_column(real):
    # 白書 ch5 p3: a 7-pt footnote runs from the left margin past the gutter; the left
    # column's paragraphs were cut into single lines
    doc = load_document(real / "hakusho_mext_st_r6_ch5.pdf")
    para = next(b for b in doc.blocks if b.page == 3 and b.text.startswith("ＡＩによる社会への便益"))
    assert para.text.endswith("どうしたらよいでしょうか。")
    cont = next(b for b in doc.blocks if b.page == 3 and b.text.startswith("デジタル庁では"))
    assert "寄与する行政保有データのオープン化等について、検討を進めていくこととしています。" in cont.text


def test_a_box_on_a_two_column_page_is_read_as_one_region():
    # a boxed コラム across the page, set in two columns of its own, above the page's columns:
    # its left column must not be followed by the page's left column below the box
    def col(word, x0, x1, top, n):
        return [_rec(f"{word}{i}行目は段の右端まで届く長い行である{word}の", x0, top - 17 * i, x1, top - 10 - 17 * i)
                for i in range(n)]
    box_left, box_right = col("枠の左の段", 60, 280, 780, 5), col("枠の右の段", 315, 535, 780, 5)
    page_left, page_right = col("本文の左の段", 50, 280, 660, 8), col("本文の右の段", 310, 545, 660, 8)
    recs = box_left + box_right + page_left + page_right
    page = Page(1, 595, 842, lines_of(1, {"lines": recs}))
    assign_frames(page, [[55, 690, 540, 790]])
    reading_order(page)
    assert [ln.text for ln in page.lines] == [r[0] for r in recs]


def _deck_page(title_lines, tag=""):
    lines = []
    if tag:     # a section tag above the title, different on each slide, drawn first
        lines.append([tag, 60, 585, 60 + 12 * len(tag), 573, 12.0, 0, [0, 400, 0]])
    top = 560
    for t in title_lines:   # set flush left: lines of a two-line title differ in length
        lines.append([t, 60, top, 60 + 24 * len(t), top - 24, 24.0, 0, [1, 700, 0]])
        top -= 30
    for i in range(6):
        lines.append([f"・スライドの本文{i}はこの大きさで書かれている。", 70, 420 - 30 * i, 600, 406 - 30 * i, 14.0, 0,
                      [0, 400, 0]])
    return {"w": 841.89, "h": 595.28, "lines": lines, "fonts": ["MS-Gothic", "MS-Gothic-Bold"]}


def test_the_top_lines_of_a_landscape_slide_in_its_largest_size_are_its_slide_title(tmp_path):
    from gennai_desktop.documents.pdf_reader import document_from_pages

    answer = {"page_count": 3, "pages": [_deck_page(["表紙の題名"]),
                                         _deck_page(["検討の背景と", "これまでの経過について"], tag="第１部　背景"),
                                         _deck_page(["中間試案の概要"], tag="第２部　概要")]}
    doc = document_from_pages(tmp_path / "deck.pdf", answer)
    slides = [(b.page, b.text) for b in doc.blocks if b.kind == "slide_title"]
    assert slides == [(2, "検討の背景とこれまでの経過について"), (3, "中間試案の概要")]


def test_a_footnote_left_of_the_gutter_stays_with_its_url_line_below_the_columns(real):
    # 白書 ch3 p15: note 1 is short enough to sit left of the gutter, its URL line crosses it
    doc = load_document(real / "hakusho_mext_st_r6_ch3.pdf")
    note = next(b for b in doc.blocks if b.page == 15 and b.kind == "note" and "Governing AI for Humanity" in b.text)
    assert "https://www.un.org/" in note.text
    assert not any(b.page == 15 and b.kind == "url" for b in doc.blocks)


def test_a_numbered_heading_a_little_larger_than_the_text_under_it_is_not_joined_to_it():
    recs = [["２．行政サービスにおける活用に向けた取組", 55, 560, 270, 549, 10.98, 0, [0, 400, 0]],
            ["行政サービス利用者の利便性向上に資する", 65, 542, 270, 532, 10.5, 0, [1, 400, 0]],
            ["高度ＡＩの活用に向けた、試行的な取組も始", 55, 525, 270, 515, 10.5, 0, [1, 400, 0]],
            ["まっています。", 55, 508, 130, 498, 10.5, 0, [1, 400, 0]]]
    page = Page(1, 595, 842, lines_of(1, {"lines": recs, "fonts": ["DFHSGothic-W3", "TBGothicSL"]}))
    paras = paragraphs_of(page.lines, 1, 0)
    assert [len(p.lines) for p in paras] == [1, 3]
