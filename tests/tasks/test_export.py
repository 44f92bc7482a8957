"""tasks/export.py: one export per task; the report says what was written and what was not."""
from __future__ import annotations

import zipfile

from tests.support.events import run_to_result
from gennai_desktop.core.findings import Finding
from gennai_desktop.documents import load_document
from gennai_desktop.tasks.export import (
    export_draft, export_proofread, export_summary, export_translation,
)


def _memo(tmp_path):
    from docx import Document as Docx
    src = tmp_path / "memo.docx"
    d = Docx()
    d.add_paragraph("会議資料を送付して下さい。")
    d.save(src)
    return src, load_document(src)


def _finding(doc, original: str, suggestion: str, start: int | None = None) -> Finding:
    s = doc.text.index(original) if start is None else start
    return Finding(s, s + len(original), original, suggestion, "test.rule", "テスト")


def test_proofread_export_counts_what_could_not_be_written(tmp_path):
    src, doc = _memo(tmp_path)
    good = _finding(doc, "下さい", "ください")
    stale = Finding(0, 2, "別文", "別の文", "test.rule", "テスト")          # text differs now
    overlap = _finding(doc, "下さ", "くださ")                               # overlaps ``good``
    report = export_proofread(doc, [good, stale, overlap], tmp_path / "out.docx")
    assert report.format == "tracked_docx" and report.path == str(tmp_path / "out.docx")
    assert report.written["revisions"] == 1 and report.not_written == {"skipped": 2}
    assert report.stats is not None and len(report.stats.skipped) == 2
    xml = zipfile.ZipFile(report.path).read("word/document.xml").decode()
    assert "w:ins" in xml
    lines = report.lines()
    assert lines[0].startswith("保存しました") and "2 件の指摘は文書に書き込めませんでした" in lines[1]


def test_proofread_export_of_a_text_source(tmp_path):
    src = tmp_path / "memo.txt"
    src.write_text("会議資料を送付して下さい。\n", encoding="utf-8")
    doc = load_document(src)
    f = _finding(doc, "下さい", "ください")
    tracked = export_proofread(doc, [f], tmp_path / "t.docx", plain_source="tracked")
    assert tracked.format == "tracked_docx" and tracked.written["revisions"] == 1 and tracked.lost == 0
    assert tracked.lines() == [tracked.lines()[0]]                         # nothing lost: one line
    report = export_proofread(doc, [f], tmp_path / "r.docx", plain_source="report")
    assert report.format == "findings_docx" and report.written == {"findings": 1}
    assert "下さい" in load_document(tmp_path / "r.docx").text


def test_summary_translation_draft_exports(tmp_path, ja_corpus):
    from tests.support.fake_engine import FakeEngine
    from gennai_desktop.tasks.draft import draft, get_template, list_templates
    from gennai_desktop.tasks.summarize import summarize
    from gennai_desktop.tasks.translate import translate
    doc = load_document(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    s = run_to_result(summarize(doc, None))
    r = export_summary(s, tmp_path / "s.txt")
    assert r.format == "text" and r.written == {"points": len(s.points)} and r.lost == 0
    assert (tmp_path / "s.txt").read_text(encoding="utf-8").strip() == s.text.strip()
    assert export_summary(s, tmp_path / "s.docx").format == "docx"
    t = run_to_result(translate(doc, FakeEngine(reply=lambda p: "National holidays.")))
    r = export_translation(t, tmp_path / "t.docx")
    assert r.written == {"blocks": len(t.blocks)} and "National holidays" in load_document(r.path).text
    tpl = list_templates()[0]
    fields = {f.name: f"{f.label_ja}の記入例" for f in get_template(tpl.id).fields}
    d = run_to_result(draft(tpl.id, fields, None))
    r = export_draft(d, tmp_path / "d.txt")
    assert r.format == "text" and r.written == {"blocks": len(d.blocks)}
