"""Tracked-changes .docx: accepted text equals the corrected text, formatting survives,
one revision per finding by GENNAI with a comment, and LibreOffice opens the result."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX

from gennai_desktop.documents import load_document
from gennai_desktop.proofread.apply import apply_findings
from gennai_desktop.proofread.document_check import check_document
from gennai_desktop.proofread.rules import check_text
from gennai_desktop.proofread.tracked_changes import track_changes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _make_source(path: Path) -> None:
    d = docx.Document()
    d.add_heading("説明会の開催について", 1)
    p = d.add_paragraph()
    r = p.add_run("関係資料を添付の上、担当課まで送付して")
    r.bold = True
    r = p.add_run("下さ")              # the finding 下さい spans two runs with different rPr
    r.italic = True
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    p.add_run("い。尚、詳細は下記の通りです。")
    d.add_paragraph("会議で使用するため、資料を下さい。")          # correct: no change
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "日時"
    t.cell(0, 1).text = "令和７年４月１日"
    t.cell(1, 0).text = "場所"
    t.cell(1, 1).text = "本庁舎に於いて開催します。"
    d.add_paragraph("お問い合わせは、総務課まで。申請書\u200bは窓口へ。")
    d.save(str(path))


def _accepted(p) -> str:
    return "".join(p.xpath(".//w:t[not(ancestor::w:del)]/text()"))


@pytest.fixture()
def tracked(tmp_path):
    src = tmp_path / "src.docx"
    _make_source(src)
    doc = load_document(src)
    findings = check_text(doc.text)
    out = tmp_path / "out.docx"
    stats = track_changes(src, doc, findings, out)
    return src, doc, findings, out, stats


def test_accepted_text_equals_corrected_text(tracked):
    src, doc, findings, out, stats = tracked
    assert stats.skipped == []
    corrected = apply_findings(doc.text, findings)
    assert corrected != doc.text
    # python-docx view: accepted text of every body paragraph (Paragraph.text would drop w:ins)
    body = docx.Document(str(out)).element.body
    paras = [_accepted(p) for p in body.iter(W + "p")]
    paras = [t for t in paras if t]
    expected = [line for b in load_document(out).blocks for line in b.text.replace("\t", "\n").split("\n")]
    assert paras == expected
    # and the document reader sees the corrected text
    assert load_document(out).text == corrected
    assert "送付してください。なお、詳細は下記のとおりです。" in corrected
    assert "資料を下さい。" in corrected            # the real verb stays


def test_one_revision_per_finding_by_gennai(tracked):
    src, doc, findings, out, stats = tracked
    body = docx.Document(str(out)).element.body
    dels = list(body.iter(W + "del"))
    inss = list(body.iter(W + "ins"))
    replacements = [f for f in findings if f.is_replacement]
    assert len(dels) == stats.revisions == len(replacements)
    assert len(inss) == sum(1 for f in replacements if f.suggestion)   # pure deletions have no w:ins
    for el in dels + inss:
        assert el.get(W + "author") == "GENNAI" and el.get(W + "date")
    ids = [el.get(W + "id") for el in dels + inss]
    assert len(set(ids)) == len(ids)


def test_formatting_of_surrounding_runs_is_kept(tracked):
    src, doc, findings, out, stats = tracked
    body = docx.Document(str(out)).element.body
    ins_runs = [r for ins in body.iter(W + "ins") for r in ins.iter(W + "r")]
    kuda = next(r for r in ins_runs if "".join(t.text or "" for t in r.iter(W + "t")) == "くだ")
    rpr = kuda.find(W + "rPr")
    assert rpr is not None and rpr.find(W + "i") is not None and rpr.find(W + "highlight") is not None
    # the remaining part of the split run keeps its formatting too
    sa = [r for r in body.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")) == "さ"]
    assert sa and sa[0].find(W + "rPr").find(W + "i") is not None
    bold = [r for r in body.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")).startswith("関係資料")]
    assert bold[0].find(W + "rPr").find(W + "b") is not None


def test_comments_and_track_revisions_setting(tracked):
    src, doc, findings, out, stats = tracked
    d = docx.Document(str(out))
    comments = list(d.comments)
    assert len(comments) == stats.comments == len(findings)
    texts = [c.text for c in comments]
    assert any("補助動詞" in t or "仮名" in t for t in texts)
    assert all("根拠" in t for t in texts)
    settings = d.settings.element
    children = [c.tag for c in settings]
    assert W + "trackRevisions" in children
    if W + "defaultTabStop" in children:
        assert children.index(W + "trackRevisions") < children.index(W + "defaultTabStop")


def test_track_changes_writes_atomically_into_a_new_folder(tmp_path):
    src = tmp_path / "a.docx"
    _make_source(src)
    doc = load_document(src)
    target = tmp_path / "sub" / "b.docx"
    stats = track_changes(src, doc, check_text(doc.text), target)
    assert stats.revisions > 0
    assert target.exists() and not list(target.parent.glob(".*.tmp"))


def test_stale_or_cross_paragraph_findings_are_skipped(tmp_path):
    from gennai_desktop.core.findings import Finding
    src = tmp_path / "a.docx"
    _make_source(src)
    doc = load_document(src)
    i = doc.text.index("\n", 5)
    cross = Finding(i - 1, i + 2, doc.text[i - 1:i + 2], "X", "t", "m")
    stale = Finding(0, 2, "違う", "X", "t", "m")
    stats = track_changes(src, doc, [cross, stale], tmp_path / "o.docx")
    assert stats.revisions == 0 and len(stats.skipped) == 2
    assert load_document(tmp_path / "o.docx").text == doc.text


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")), reason="LibreOffice/poppler not installed")
def test_libreoffice_opens_the_result(tracked, tmp_path):
    src, doc, findings, out, stats = tracked
    profile = tmp_path / "lo-profile"
    r = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                       capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "out.pdf"
    assert r.returncode == 0 and pdf.exists(), r.stderr
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    compact = "".join(text.split())
    # LibreOffice shows the changes: deleted and inserted text both appear in the PDF
    assert "説明会の開催について" in compact
    assert "くだ" in compact and "なお" in compact and "とお" in compact
    assert "資料を下さい" in compact


def test_real_report_docx_round_trip(corpus, tmp_path):
    src = corpus / "real" / "report_cio_metadata.docx"
    if not src.exists():
        pytest.skip("corpus document missing")
    doc = load_document(src)
    findings = check_document(doc).findings
    out = tmp_path / "report.docx"
    stats = track_changes(src, doc, findings, out)
    written = [f for f in findings if f not in stats.skipped]
    assert stats.revisions >= 8
    assert len(stats.skipped) <= len(findings) * 0.05
    assert load_document(out).text == apply_findings(doc.text, written)


def test_existing_revisions_hyperlinks_and_fields_stay_valid(tmp_path):
    """Text inside someone else's w:ins is left alone (reported as skipped); a hyperlink's runs
    can be edited; a field result is never split; the file still reads back consistently."""
    from docx.oxml import parse_xml
    src = tmp_path / "mixed.docx"
    d = docx.Document()
    d.add_paragraph("placeholder")
    d.save(str(src))
    d = docx.Document(str(src))
    body = d.element.body
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    body.remove(body.find(W + "p"))
    sect = body.find(W + "sectPr")
    for xml in (
        f'<w:p {ns}><w:r><w:t>詳細は</w:t></w:r><w:ins w:id="90" w:author="someone" w:date="2024-01-01T00:00:00Z">'
        f'<w:r><w:t>下記の通り</w:t></w:r></w:ins><w:r><w:t>です。</w:t></w:r></w:p>',
        f'<w:p {ns}><w:hyperlink r:id="rIdX"><w:r><w:t>資料を送って下さい。</w:t></w:r></w:hyperlink></w:p>',
        f'<w:p {ns}><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DATE </w:instrText></w:r>'
        f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>尚</w:t></w:r>'
        f'<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>、以上。</w:t></w:r></w:p>',
    ):
        sect.addprevious(parse_xml(xml))
    d.save(str(src))
    doc = load_document(src)
    findings = check_text(doc.text)
    assert {f.original for f in findings} >= {"通り", "下さい"}
    out = tmp_path / "out.docx"
    stats = track_changes(src, doc, findings, out)
    written = [f for f in findings if f not in stats.skipped]
    assert any(f.original == "下さい" for f in written)
    assert any(f.original == "通り" for f in stats.skipped)
    assert load_document(out).text == apply_findings(doc.text, written)
