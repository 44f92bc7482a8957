"""Findings report (.docx table) for PDFs: page numbers, original in context, suggestion."""
from __future__ import annotations

import docx
import pytest

from gennai_desktop.core.document import Block, Document
from gennai_desktop.proofread.report import write_findings_report
from gennai_desktop.proofread.rules import check_text


def _rows(path):
    d = docx.Document(str(path))
    assert d.tables, "report has no table"
    return [[c.text for c in row.cells] for row in d.tables[0].rows]


def test_report_has_page_numbers_and_columns(tmp_path):
    doc = Document.from_blocks([
        Block(id="b0000", kind="heading", text="第1章 総則", page=1),
        Block(id="b0001", kind="paragraph", text="資料を送って下さい。", page=1),
        Block(id="b0002", kind="paragraph", text="本件は\u200b，別途、通知する。", page=3),
    ], fmt="pdf", page_count=3)
    fs = check_text(doc.text)
    target = tmp_path / "report.docx"
    write_findings_report(doc, fs, target)
    rows = _rows(target)
    assert len(rows) == len(fs) + 1
    assert rows[0] == ["位置", "原文", "修正案", "理由", "根拠"]
    by_orig = {r[1]: r for r in rows[1:]}
    kudasai = next(r for k, r in by_orig.items() if "【下さい】" in k)
    assert kudasai[0] == "1ページ" and kudasai[2] == "ください"
    assert "公用文における漢字使用等について" in kudasai[4] and "仮名" in kudasai[3]
    comma = next(r for k, r in by_orig.items() if "【，】" in k)
    assert comma[0] == "3ページ" and comma[2] == "、"
    zw = next(r for k, r in by_orig.items() if "U+200B" in k)
    assert zw[2] == "（削除）"


def test_empty_report(tmp_path):
    doc = Document.from_blocks([Block(id="b0000", kind="paragraph", text="問題のない文です。", page=1)], fmt="pdf")
    target = tmp_path / "r.docx"
    write_findings_report(doc, check_text(doc.text), target)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "指摘はありませんでした" in text


def test_report_for_a_real_pdf(ja_corpus, tmp_path):
    from gennai_desktop.documents import load_document
    src = ja_corpus / "law_denshi-shomei_412AC0000000102.pdf"
    if not src.exists():
        pytest.skip("corpus document missing")
    doc = load_document(src)
    fs = check_text(doc.text)
    target = tmp_path / "pdf-report.docx"
    write_findings_report(doc, fs, target)
    rows = _rows(target)
    assert len(rows) == len(fs) + 1 and len(fs) > 0
    assert all(r[0].endswith("ページ") for r in rows[1:])
