"""write_docx: Word styles, layout hints, East Asian font, round trip, atomic output."""
from __future__ import annotations

import zipfile

import docx
import pytest

from gennai_desktop.core.document import Block, table_text
from gennai_desktop.core.errors import OutputError
from gennai_desktop.documents import load_document, write_docx
from gennai_desktop.documents.docx_writer import parse_style_hints

ROWS = (("区分", "期限"), ("申請", "十二月一日"))
BLOCKS = [
    Block("b0", "paragraph", "総第１２３号", style="align:right"),
    Block("b1", "paragraph", "令和８年１１月２２日", style="align:right"),
    Block("b2", "paragraph", "各府省庁担当課長　殿"),
    Block("b3", "paragraph", "デジタル庁総務課長", style="align:right"),
    Block("b4", "heading", "文書管理の徹底について（通知）", level=1),
    Block("b5", "paragraph", "標記について、下記のとおり通知します。\n改行も保持\tタブも", style="indent:1"),
    Block("b6", "paragraph", "記", style="align:center"),
    Block("b7", "heading", "第一　趣旨", level=2),
    Block("b8", "list_item", "一つ目", level=1),
    Block("b9", "list_item", "入れ子", level=2),
    Block("b10", "list_item", "番号付き", level=1, style="list:number"),
    Block("t11", "table", table_text(ROWS), rows=ROWS),
    Block("b12", "paragraph", "以上", style="align:right"),
]


def test_round_trip_kinds_texts_tables(tmp_path):
    target = tmp_path / "out.docx"
    write_docx(BLOCKS, target, title="通知")
    doc = load_document(target)
    # list items read back with the bullet/number Word draws for their style, as their label
    assert [(b.kind, b.text[len(b.label):].lstrip("\u3000 ")) for b in doc.blocks] == [(b.kind, b.text) for b in BLOCKS]
    assert [b.label for b in doc.blocks if b.kind == "list_item"] == ["・", "◦", "1."] or all(
        b.label for b in doc.blocks if b.kind == "list_item")
    assert [b.level for b in doc.blocks if b.kind in ("heading", "list_item")] == [1, 2, 1, 2, 1]
    assert doc.blocks[11].rows == ROWS
    assert doc.title == "通知"


def test_labels_are_not_written_twice(tmp_path):
    """A list item read with its label (「１．」) is written without it: the list style draws
    the number again, and reading the result back gives the same text."""
    first = tmp_path / "a.docx"
    write_docx(BLOCKS, first)
    doc = load_document(first)
    second = tmp_path / "b.docx"
    write_docx(doc.blocks, second)
    again = load_document(second)
    assert [b.text for b in again.blocks] == [b.text for b in doc.blocks]


def test_layout_hints_survive_round_trip(tmp_path):
    target = tmp_path / "out.docx"
    write_docx(BLOCKS, target)
    doc = load_document(target)
    hints = [parse_style_hints(b.style)[1] for b in doc.blocks]
    assert hints[0].get("align") == "right" and hints[12].get("align") == "right"
    assert hints[6].get("align") == "center"
    assert hints[5].get("indent") == "1"
    assert "align" not in hints[2]
    assert hints[10].get("list") == "number" or "Number" in (doc.blocks[10].style or "")
    assert "Bullet" in (doc.blocks[8].style or "")


def test_styles_and_east_asian_font(tmp_path):
    target = tmp_path / "out.docx"
    write_docx(BLOCKS, target)
    d = docx.Document(str(target))
    names = [p.style.name for p in d.paragraphs]
    assert "Heading 1" in names and "Heading 2" in names and "List Bullet 2" in names and "List Number" in names
    assert d.tables[0].style.name == "Table Grid"
    with zipfile.ZipFile(target) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="游明朝"' in styles and 'w:eastAsia="ja-JP"' in styles
    section = d.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1


def test_control_characters_do_not_break_writing(tmp_path):
    target = tmp_path / "ctl.docx"
    write_docx([Block("b0", "paragraph", "制御\x00文字\x1bを含む")], target)
    assert load_document(target).text == "制御文字を含む"


def test_failed_write_leaves_no_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.docx"

    def fail_save(self, path):
        with open(path, "wb") as fh:
            fh.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(docx.document.Document, "save", fail_save)
    with pytest.raises(OutputError):
        write_docx(BLOCKS, target)
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "out.docx"
    write_docx(BLOCKS[:2], target)
    before = target.read_bytes()

    def fail_save(self, path):
        raise ValueError("boom")

    monkeypatch.setattr(docx.document.Document, "save", fail_save)
    with pytest.raises(ValueError):
        write_docx(BLOCKS, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.docx"]


def test_corpus_round_trip(ja_corpus, tmp_path):
    src = load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.docx")
    target = tmp_path / "copy.docx"
    write_docx(src.blocks, target)
    back = load_document(target)
    assert [(b.kind, b.text, b.rows) for b in back.blocks] == [(b.kind, b.text, b.rows) for b in src.blocks]


def test_parse_style_hints():
    assert parse_style_hints("Normal;align:right;indent:2") == ("Normal", {"align": "right", "indent": "2"})
    assert parse_style_hints(None) == (None, {})
    assert parse_style_hints("align:center") == (None, {"align": "center"})


def test_table_columns_are_as_wide_as_their_text_needs(tmp_path):
    """A transcript table (時刻 | 発言者 | 発言) must not give the time column the width of
    the utterance: Word's equal columns printed the utterance two characters a line."""
    import docx as _docx
    rows = (("時刻", "発言者", "発言"),
            ("00:07", "", "本日の議題は、ウェブサイトの改修と、来年度の広報計画の観点です。" * 2))
    target = tmp_path / "t.docx"
    write_docx([Block(id="b0", kind="table", text="\n".join("\t".join(r) for r in rows), rows=rows)], target)
    table = _docx.Document(target).tables[0]
    widths = [table.rows[0].cells[c].width for c in range(3)]
    assert widths[2] > 3 * widths[0] and widths[2] > 3 * widths[1]
    section = _docx.Document(target).sections[-1]
    assert sum(widths) <= section.page_width - section.left_margin - section.right_margin
