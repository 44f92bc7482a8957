"""Reading .docx: reading order, headings, lists, tables, revisions, and safety pre-scan."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from gennai_desktop.core.errors import DocumentError
from gennai_desktop.documents import load_document
from gennai_desktop.documents.limits import Limits

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _sample(tmp_path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("表題の文書", style="Title")
    d.add_heading("第一章　総則", level=1)
    d.add_paragraph("最初の段落。")
    table = d.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "項目"
    table.rows[0].cells[1].text = "内容"
    table.rows[1].cells[0].text = "期限"
    table.rows[1].cells[1].text = "十二月"
    d.add_paragraph("表の後の段落。")
    d.add_paragraph("箇条一", style="List Bullet")
    d.add_paragraph("箇条二", style="List Number 2")
    d.add_heading("第一節　目的", level=2)
    outline = d.add_paragraph("アウトラインだけの見出し")
    outline._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W_NS} w:val="2"/>'))
    d.add_paragraph("節の本文。")
    body = d.element.body
    # tracked insertion and deletion, and ruby (furigana) inside one paragraph
    p = parse_xml(
        f'<w:p {W_NS}><w:r><w:t>改正</w:t></w:r>'
        f'<w:ins w:id="1" w:author="a"><w:r><w:t>後の</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="a"><w:r><w:delText>前の</w:delText></w:r></w:del>'
        f'<w:r><w:ruby><w:rt><w:r><w:t>ほう</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>法</w:t></w:r></w:rubyBase></w:ruby></w:r>'
        f'<w:r><w:t>文</w:t></w:r></w:p>')
    body.insert(len(body) - 1, p)
    # content control wrapping a paragraph
    sdt = parse_xml(f'<w:sdt {W_NS}><w:sdtContent><w:p><w:r><w:t>コンテンツコントロール内</w:t></w:r></w:p>'
                    f'</w:sdtContent></w:sdt>')
    body.insert(len(body) - 1, sdt)
    path = tmp_path / "sample.docx"
    d.save(str(path))
    return path


def test_reading_order_kinds_and_levels(tmp_path):
    doc = load_document(_sample(tmp_path))
    got = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert got == [
        ("title", 0, "表題の文書"),
        ("heading", 1, "第一章　総則"),
        ("paragraph", 0, "最初の段落。"),
        ("table", 0, "項目\t内容\n期限\t十二月"),
        ("paragraph", 0, "表の後の段落。"),
        # Word draws the bullet and the number of a list style: they are the items' labels
        ("list_item", 1, "・\u3000箇条一"),
        ("list_item", 2, "1. 箇条二"),
        ("heading", 2, "第一節　目的"),
        ("heading", 3, "アウトラインだけの見出し"),
        ("paragraph", 0, "節の本文。"),
        ("paragraph", 0, "改正後の法文"),
        ("paragraph", 0, "コンテンツコントロール内"),
    ]
    assert doc.title == "表題の文書"
    assert [b.label for b in doc.blocks if b.kind == "list_item"] == ["・", "1."]


def test_ids_heading_paths_offsets_and_table_rows(tmp_path):
    doc = load_document(_sample(tmp_path))
    assert [b.id for b in doc.blocks][:5] == ["b0000", "b0001", "b0002", "t0003", "b0004"]
    table = doc.blocks[3]
    assert table.rows == (("項目", "内容"), ("期限", "十二月"))
    assert table.heading_path == ("第一章　総則",)
    body = doc.blocks[9]
    assert body.heading_path == ("第一章　総則", "第一節　目的", "アウトラインだけの見出し")
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text
    assert doc.locate(doc.text.index("節の本文")).heading == "アウトラインだけの見出し"


def test_same_file_gives_same_ids(tmp_path):
    path = _sample(tmp_path)
    assert [b.id for b in load_document(path).blocks] == [b.id for b in load_document(path).blocks]


def test_corpus_docx_headings_and_tables(ja_corpus):
    doc = load_document(ja_corpus / "law_kojin-joho-hogo_415AC0000000057.docx")
    kinds = {b.kind for b in doc.blocks}
    assert {"heading", "paragraph", "table"} <= kinds
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 3 and all(b.rows and len(b.rows) > 1 for b in tables)
    assert any(b.text.startswith("第一章") for b in doc.blocks if b.kind == "heading" and b.level == 1)
    assert all(b.page is None for b in doc.blocks)
    # every block after the first chapter heading sits under some heading
    first = next(i for i, b in enumerate(doc.blocks) if b.text.startswith("第一章") and b.kind == "heading"
                 and i > 10)
    assert all(b.heading_path for b in doc.blocks[first + 1:] if not (b.kind == "heading" and b.level == 1))


def test_docx_text_matches_txt_of_same_law(ja_corpus):
    import difflib
    import re

    name = "law_nihonkoku-kenpo_321CONSTITUTION"
    a = re.sub(r"\s", "", load_document(ja_corpus / f"{name}.docx").text)
    b = re.sub(r"\s", "", (ja_corpus / f"{name}.txt").read_text(encoding="utf-8"))
    assert difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() > 0.97


# -- safety --------------------------------------------------------------------------------------

def _zip(tmp_path: Path, name: str, entries: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    return path


@pytest.mark.parametrize("bad_name", ["../evil.xml", "/abs.xml", "word\\x.xml", "word/../../x.xml", "C:/x.xml"])
def test_unsafe_entry_names_rejected(tmp_path, bad_name):
    path = _zip(tmp_path, "bad.docx", {"[Content_Types].xml": b"<Types/>", bad_name: b"<x/>"})
    with pytest.raises(DocumentError) as err:
        load_document(path)
    assert err.value.key == "documents.error.unsafe"


def test_too_many_entries_rejected(tmp_path):
    entries = {f"word/media/{i}.xml": b"<x/>" for i in range(30)}
    entries["[Content_Types].xml"] = b"<Types/>"
    path = _zip(tmp_path, "many.docx", entries)
    with pytest.raises(DocumentError) as err:
        load_document(path, limits=Limits(max_zip_entries=20))
    assert err.value.key == "documents.error.zip_bomb"


def test_high_ratio_entry_rejected(tmp_path):
    path = _zip(tmp_path, "ratio.docx", {"[Content_Types].xml": b"<Types/>",
                                        "word/document.xml": b"<a>" + b"A" * 3_000_000 + b"</a>"})
    with pytest.raises(DocumentError) as err:
        load_document(path, limits=Limits(zip_ratio_min_bytes=1_000_000))
    assert err.value.key == "documents.error.zip_bomb"


def test_zip_bomb_rejected_before_python_docx(malformed_corpus, monkeypatch):
    import tracemalloc

    def boom(*a, **k):  # python-docx must never be reached
        raise AssertionError("python-docx was called on a zip bomb")

    monkeypatch.setattr(docx, "Document", boom)
    tracemalloc.start()
    with pytest.raises(DocumentError) as err:
        load_document(malformed_corpus / "gen-zipbomb-1GB.docx")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert err.value.key == "documents.error.zip_bomb"
    assert peak < 20 * 1024 ** 2


@pytest.mark.parametrize("name", ["gen-xxe.docx", "gen-billion-laughs.docx", "poi-ExternalEntityInText.docx"])
def test_dtd_documents_refused(malformed_corpus, name):
    with pytest.raises(DocumentError) as err:
        load_document(malformed_corpus / name)
    assert err.value.key == "documents.error.unsafe"


@pytest.mark.parametrize("name", ["gen-xxe.docx", "gen-billion-laughs.docx", "poi-ExternalEntityInText.docx"])
def test_python_docx_parser_does_not_expand_entities_either(malformed_corpus, name):
    """Defence in depth: even past the pre-scan, lxml as python-docx configures it is safe."""
    from docx.oxml.parser import oxml_parser
    from lxml import etree

    with zipfile.ZipFile(malformed_corpus / name) as zf:
        xml = zf.read("word/document.xml")
    try:
        root = etree.fromstring(xml, oxml_parser)
    except etree.XMLSyntaxError as exc:   # libxml2's amplification guard stops billion laughs
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
        return
    text = "".join(root.itertext())
    assert "root:" not in text            # /etc/passwd was not read
    assert len(text) < 100_000            # no entity expansion


def test_external_relationships_are_not_followed(malformed_corpus):
    doc = load_document(malformed_corpus / "gen-external-rel.docx")
    assert "外部リレーションシップ" in doc.text


def test_zipscan_reads_only_directory_and_heads(tmp_path):
    from gennai_desktop.documents.zipscan import prescan_zip

    d = docx.Document()
    d.add_paragraph("普通の文書")
    path = tmp_path / "ok.docx"
    d.save(str(path))
    prescan_zip(path)  # a normal document passes


def test_ole_file_named_docx_is_reported_as_encrypted_or_legacy(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    enc = tmp_path / "locked.docx"
    enc.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    with pytest.raises(DocumentError) as err:
        load_document(enc)
    assert err.value.key == "documents.error.encrypted"
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(ole + b"\x00" * 100)
    with pytest.raises(DocumentError) as err:
        load_document(legacy)
    assert err.value.key == "documents.error.legacy_doc"
