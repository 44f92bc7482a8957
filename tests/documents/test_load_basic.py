"""Smoke tests for load_document on the real corpus: each format gives blocks in order."""
from __future__ import annotations

import pytest

from gennai_desktop.documents import load_document

KENPO = "law_nihonkoku-kenpo_321CONSTITUTION"


@pytest.mark.parametrize("ext", ["docx", "pdf", "txt"])
def test_kenpo_loads_with_first_article(ja_corpus, ext):
    doc = load_document(ja_corpus / f"{KENPO}.{ext}")
    assert doc.format == ext
    assert "日本国憲法" in doc.text
    assert doc.text.index("第一章") < doc.text.index("第九条") < doc.text.index("第百三条")
    assert any(b.kind == "heading" for b in doc.blocks)


def test_txt_text_equals_file_text(ja_corpus):
    path = ja_corpus / f"{KENPO}.txt"
    doc = load_document(path)
    assert doc.text == path.read_text(encoding="utf-8").replace("\r\n", "\n")
