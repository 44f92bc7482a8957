""".docx as structure: Word's numbering as labels, footnotes as anchored notes, fields that
are not text, text boxes in reading order — and the tracked-changes writer still finds every
character the reader reports."""
from __future__ import annotations

import docx
from docx.oxml import parse_xml

from gennai_desktop.core.findings import Finding
from gennai_desktop.documents import load_document
from gennai_desktop.documents.docx_numbering import format_number
from gennai_desktop.proofread.tracked_changes import track_changes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'
NUMBERING = f"""<w:numbering {NS}>
<w:abstractNum w:abstractNumId="7">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="%1．"/><w:suff w:val="space"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimalFullWidth"/><w:lvlText w:val="（%2）"/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="aiueoFullWidth"/><w:lvlText w:val="%3"/></w:lvl>
</w:abstractNum>
<w:num w:numId="9"><w:abstractNumId w:val="7"/></w:num>
</w:numbering>"""


def _numbered(tmp_path):
    d = docx.Document()
    d.add_paragraph("見出しの前の段落。")
    part = d.part.numbering_part
    for child in list(part.element):
        part.element.remove(child)
    for child in parse_xml(NUMBERING):
        part.element.append(child)
    for level, text in [(0, "総則"), (1, "目的"), (2, "この規程は…を定める。"), (2, "次の…とする。"),
                        (1, "定義"), (0, "雑則"), (1, "施行")]:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {NS}><w:ilvl w:val="{level}"/><w:numId w:val="9"/></w:numPr>'))
    path = tmp_path / "numbered.docx"
    d.save(str(path))
    return path


def test_word_numbering_is_drawn_as_the_items_labels(tmp_path):
    doc = load_document(_numbered(tmp_path))
    items = [(b.label, b.text) for b in doc.blocks if b.kind == "list_item"]
    assert items == [
        ("１．", "１． 総則"),
        ("（１）", "（１）\u3000目的"),          # tab after a full-width label: an ideographic space
        ("ア", "ア\u3000この規程は…を定める。"),
        ("イ", "イ\u3000次の…とする。"),
        ("（２）", "（２）\u3000定義"),          # a deeper level restarts, this one counts on
        ("２．", "２． 雑則"),
        ("（１）", "（１）\u3000施行"),          # restarted after its parent advanced
    ]
    assert [b.level for b in doc.blocks if b.kind == "list_item"] == [1, 2, 3, 3, 2, 1, 2]


def test_number_formats():
    assert [format_number(3, f) for f in ("decimal", "decimalFullWidth", "decimalEnclosedCircle",
                                          "aiueoFullWidth", "iroha", "japaneseCounting", "lowerRoman",
                                          "upperLetter", "decimalEnclosedParen")] == \
        ["3", "３", "③", "ウ", "ハ", "三", "iii", "C", "⑶"]
    assert format_number(14, "japaneseCounting") == "十四" and format_number(20, "japaneseCounting") == "二十"


def test_tracked_changes_still_map_a_numbered_paragraph(tmp_path):
    src = _numbered(tmp_path)
    doc = load_document(src)
    block = next(b for b in doc.blocks if b.text.endswith("定める。"))
    start = block.start + block.text.index("定める")
    finding = Finding(start=start, end=start + 3, original="定める", suggestion="さだめる", rule="r", message="m")
    out = tmp_path / "out.docx"
    stats = track_changes(src, doc, [finding], out)
    assert finding not in stats.skipped         # the label is not in the runs, yet offsets map


def _with_notes_fields_and_box(tmp_path):
    d = docx.Document()
    body = d.element.body
    sect = body.find(f"{{{W}}}sectPr")
    xml = [
        f'<w:p {NS}><w:r><w:t>本文で脚注を付ける</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
        f'<w:footnoteReference w:id="2"/></w:r><w:r><w:t>。次の文。</w:t></w:r></w:p>',
        f'<w:p {NS}><w:r><w:t>ページ </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>7</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>を参照。</w:t></w:r></w:p>',
        f'<w:p {NS}><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \\o "1-3" </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>第1章 総則\t3</w:t></w:r></w:p>',
        f'<w:p {NS}><w:r><w:t>第2章 雑則\t9</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
        f'<w:p {NS}><w:r><w:t>枠の前。</w:t></w:r><w:r><w:txbxContent><w:p><w:r><w:t>枠の中の文。</w:t></w:r></w:p>'
        f'</w:txbxContent></w:r></w:p>',
        f'<w:p {NS}><w:r><w:t>最後の段落。</w:t></w:r></w:p>',
    ]
    for x in xml:
        sect.addprevious(parse_xml(x))
    # a footnotes part with a separator and note 2
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    notes = (f'<w:footnotes {NS}><w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p>'
             f'</w:footnote><w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t> 脚注の本文である。</w:t>'
             f'</w:r></w:p></w:footnote></w:footnotes>').encode("utf-8")
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", notes, d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    path = tmp_path / "notes.docx"
    d.save(str(path))
    return path


def test_footnotes_fields_and_text_boxes(tmp_path):
    doc = load_document(_with_notes_fields_and_box(tmp_path))
    texts = [b.text for b in doc.blocks]
    cited = next(b for b in doc.blocks if b.text.startswith("本文で脚注を付ける"))
    assert cited.text == "本文で脚注を付ける¹。次の文。"             # the reference mark as Word shows it
    note = doc.blocks[-1]
    assert note.kind == "note" and note.label == "1" and note.anchor == cited.id
    assert note.text == "1\u3000脚注の本文である。"
    assert "ページ を参照。" in texts                                      # PAGE's result is not text
    assert not any("総則" in t or "雑則" in t for t in texts)              # nor a generated table of contents
    i = texts.index("枠の前。")
    assert texts[i + 1] == "枠の中の文。" and texts[i + 2] == "最後の段落。"   # the box after its anchor


def test_title_style_typed_labels_captions_and_urls(tmp_path):
    d = docx.Document()
    d.add_paragraph("文書の表題", style="Title")
    d.add_paragraph("・手で打った中黒の項目")
    d.add_paragraph("図１　構成図")
    d.add_paragraph("※１　注記である。")
    d.add_paragraph("https://www.example.go.jp/a/b")
    path = tmp_path / "kinds.docx"
    d.save(str(path))
    doc = load_document(path)
    assert [(b.kind, b.label) for b in doc.blocks] == [
        ("title", ""), ("list_item", "・"), ("caption", ""), ("note", "※１"), ("url", "")]
    assert doc.title == "文書の表題"
