"""Issue 9.8: hidden text (w:vanish) is not part of the document; the tracked-changes writer
must read paragraphs the same way, or findings next to hidden text are silently skipped."""
from __future__ import annotations

import docx

from gennai_desktop.documents import load_document
from gennai_desktop.proofread.rules import check_text
from gennai_desktop.proofread.tracked_changes import track_changes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_finding_beside_hidden_run_is_written_as_tracked_change(tmp_path):
    src = tmp_path / "src.docx"
    d = docx.Document()
    p = d.add_paragraph()
    p.add_run("関係資料を添付の上、担当課まで送付して")
    hidden = p.add_run("（内部メモ：至急）")
    hidden.font.hidden = True
    p.add_run("下さい。")
    d.save(str(src))
    doc = load_document(src)
    assert "内部メモ" not in doc.text
    findings = [f for f in check_text(doc.text) if f.original.startswith("下さ")]
    assert findings, "the 下さい rule should fire"
    out = tmp_path / "out.docx"
    stats = track_changes(src, doc, findings, out)
    assert stats.skipped == [] and stats.revisions == len(findings)
    body = docx.Document(str(out)).element.body
    deleted = "".join(t.text or "" for d_ in body.iter(W + "del") for t in d_.iter(W + "delText"))
    assert "下" in deleted, deleted
    # the hidden run is still there, untouched
    assert "（内部メモ：至急）" in "".join(t.text or "" for t in body.iter(W + "t"))
