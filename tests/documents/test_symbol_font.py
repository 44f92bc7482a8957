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
