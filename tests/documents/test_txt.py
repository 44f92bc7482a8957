"""Plain text: encodings, the doc.text == normalised file text contract, headings."""
from __future__ import annotations

import pytest

from gennai_desktop.core.errors import DocumentError
from gennai_desktop.documents import load_document
from gennai_desktop.documents.txt_reader import decode_text

SAMPLE = "第一章　総則\n\n第一条　この法律は、目的を定める。\r\n二行目\rです。\n"
EXPECTED = "第一章　総則\n\n第一条　この法律は、目的を定める。\n二行目\nです。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp932", "utf-32"])
def test_encodings_decode_to_same_text(tmp_path, encoding):
    path = tmp_path / f"s-{encoding}.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    doc = load_document(path)
    assert doc.text == EXPECTED
    assert doc.format == "txt"


def test_one_block_per_line_including_empty_lines(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(SAMPLE, encoding="utf-8", newline="")
    doc = load_document(path)
    assert [b.text for b in doc.blocks] == EXPECTED.split("\n")
    assert [b.id for b in doc.blocks][:3] == ["b0000", "b0001", "b0002"]
    assert doc.blocks[0].kind == "heading"
    assert doc.blocks[2].heading_path == ("第一章　総則",)


def test_every_corpus_txt_roundtrips_exactly(ja_corpus):
    for path in sorted(ja_corpus.glob("*.txt")):
        doc = load_document(path)
        assert doc.text == path.read_bytes().decode("utf-8").replace("\r\n", "\n"), path.name
        for b in doc.blocks[:200]:
            assert doc.text[b.start:b.end] == b.text


def test_headings_in_law_text_but_not_table_of_contents(ja_corpus):
    doc = load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.txt")
    headings = [b.text.strip("　") for b in doc.blocks if b.kind == "heading"]
    assert "第一章　総則" in headings
    assert not any(h.endswith("）") for h in headings)  # 目次 entries like 第一章　総則（第一条―第三条）


def test_decode_text_contract():
    assert decode_text(b"\xef\xbb\xbfabc\r\n") == "abc\n"
    assert decode_text("か\u3099".encode("utf-8")) == "が"
    assert decode_text("漢字".encode("cp932")) == "漢字"


def test_whitespace_only_text_is_no_text(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("\n \n\u3000\n", encoding="utf-8")
    with pytest.raises(DocumentError) as err:
        load_document(path)
    assert err.value.key == "documents.error.no_text"
