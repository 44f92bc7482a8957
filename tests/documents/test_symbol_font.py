"""Word symbol-font characters (private use U+F0xx) become the characters the author saw."""
from __future__ import annotations

from gennai_desktop.documents import load_document
from gennai_desktop.documents.normalize import SYMBOL_FONT_CHARS, normalize_safe, normalize_text

PUA = {"\uf0b7": "・", "\uf0a7": "■", "\uf0d8": "➢", "\uf0fc": "✓"}


def test_docx_with_symbol_font_bullets_reads_as_real_characters(tmp_path):
    import docx
    d = docx.Document()
    lines = [f"{pua}\t確認事項その{i + 1}" for i, pua in enumerate(PUA)]
    for line in lines:
        d.add_paragraph(line)
    d.add_paragraph("外字\ue000はそのまま")          # unknown private-use: not ours to guess
    path = tmp_path / "記号フォント.docx"
    d.save(str(path))
    text = load_document(path).text
    for pua, real in PUA.items():
        assert pua not in text
        assert f"{real}\t確認事項" in text
    assert "\ue000" in text
    assert not any("\uf000" <= ch <= "\uf0ff" for ch in text)


def test_pdf_and_txt_normalisers_map_them_one_for_one():
    src = "".join(SYMBOL_FONT_CHARS) + "本文"
    for fn in (normalize_safe, normalize_text):
        out = fn(src)
        assert len(out) == len(src)                       # offsets stay valid
        assert out == "".join(SYMBOL_FONT_CHARS.values()) + "本文"


def test_txt_file_with_symbol_bullet(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("\uf0fc 提出済み\n\uf0d8 次回の予定\n", encoding="utf-8")
    assert load_document(p).text.split("\n")[:2] == ["✓ 提出済み", "➢ 次回の予定"]


def _pua_pdf(path):
    """A one-page PDF whose font maps its codes to U+F0B7/F0A7/F0D8/F0FC (ToUnicode), as a
    Word document with Symbol/Wingdings bullets exports them."""
    cmap = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<00> <FF>
endcodespacerange
4 beginbfchar
<01> <F0B7>
<02> <F0A7>
<03> <F0D8>
<04> <F0FC>
endbfchar
1 beginbfrange
<20> <7E> <0020>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
    content = b"BT /F1 14 Tf 72 720 Td (\x01 Item one) Tj 0 -20 Td (\x02 Item two) Tj 0 -20 Td (\x03 Item three) Tj 0 -20 Td (\x04 Done) Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    open(path, "wb").write(bytes(out))


def test_generated_pdf_with_symbol_font_bullets(tmp_path):
    path = tmp_path / "bullets.pdf"
    _pua_pdf(path)
    import pypdfium2
    raw = pypdfium2.PdfDocument(str(path))[0].get_textpage().get_text_range()
    assert "\uf0b7" in raw and "\uf0fc" in raw                # the extractor really yields PUA
    text = load_document(path).text
    assert not any("\uf000" <= ch <= "\uf0ff" for ch in text)
    for real, label in (("・", "Item one"), ("■", "Item two"), ("➢", "Item three"), ("✓", "Done")):
        assert f"{real} {label}" in text
