"""Each task through the UI on a FakeEngine: streaming, results, citations, save + re-open."""
from __future__ import annotations

import json

from gennai_desktop.core.events import Progress, TextDelta
from gennai_desktop.ui.ime import commit_text
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle


def _collect(tab, kinds=(TextDelta, Progress)):
    seen: list = []
    tab.worker.signals.event.connect(lambda ev: seen.append(ev) if isinstance(ev, kinds) else None)
    return seen


def test_summary_streams_and_points_link_to_paragraphs(window, qtbot, kenpo_docx):
    window.open_path(kenpo_docx)
    tab = window.summary_tab
    assert tab.run()
    seen = _collect(tab)
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    assert any(isinstance(e, TextDelta) for e in seen) or tab.result.method == "extractive"
    result = tab.result
    assert result.points and tab.points.topLevelItemCount() == len(result.points)
    assert result.text.strip() and tab.stream.toPlainText() == result.text
    # click the first cited point: the document view selects the cited paragraph
    cited = next(i for i in range(tab.points.topLevelItemCount()) if result.points[i].citations)
    item = tab.points.topLevelItem(cited)
    tab._on_item(item)
    loc = result.points[cited].citations[0]
    block = window.document.block(loc.block_id)
    view = window.document_view
    assert view.tabs.currentWidget() is view.text
    assert view.text.textCursor().selectedText() == block.text
    # and the status bar shows the engine's backend now that it is loaded
    assert "CPU" in window.backend_label.text()


def test_summary_citation_on_pdf_goes_to_page(window, qtbot, denshi_pdf):
    window.open_path(denshi_pdf)
    tab = window.summary_tab
    tab.style_box.setCurrentIndex(tab.style_box.findData("three_lines"))
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    pages = [(i, p.citations[0].page) for i, p in enumerate(tab.result.points) if p.citations]
    i, page = max(pages, key=lambda x: x[1])
    assert page is not None
    tab._on_item(tab.points.topLevelItem(i))
    view = window.document_view
    assert view.tabs.currentWidget() is view.pdf_view
    assert view.current_page() == page


def test_translate_progress_save_and_reopen(qtbot, app_font, denshi_docx, tmp_path):
    engine = FakeEngine(reply=lambda p: "The Electronic Signatures Act.")
    w = make_window(qtbot, engine)
    w.open_path(denshi_docx)
    tab = w.translate_tab
    maxima: list[int] = []
    tab.progress.valueChanged.connect(lambda _v: maxima.append(tab.progress.maximum()))
    assert tab.run()
    seen = _collect(tab)
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    progress = [e for e in seen if isinstance(e, Progress)]
    assert progress and progress[-1].total == len(w.document.blocks)
    assert len(w.document.blocks) in maxima             # the bar counted blocks/chunks
    assert "Electronic Signatures" in tab.stream.toPlainText()
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / "訳.docx"))
    assert target
    from gennai_desktop.documents import load_document
    again = load_document(target)
    assert "Electronic Signatures" in again.text
    assert tab.copy_to_clipboard() == tab.result_text()
    from gennai_desktop.ui.qt import QApplication
    assert QApplication.clipboard().text() == tab.result_text()


def test_draft_fields_run_save_and_reopen(window, qtbot, tmp_path):
    tab = window.draft_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.templates, "templates ship in resources/templates"
    t = tab.template
    for f in t.fields:
        if f.required and not tab.field_values()[f.name].strip():
            commit_text(tab.inputs[f.name], f"{f.label_ja}の記入例")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    text = tab.result_text()
    required = [f for f in t.fields if f.required]
    assert required
    assert any(f"{f.label_ja}の記入例" in text for f in required)
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    from gennai_desktop.documents import load_document
    assert any(f"{f.label_ja}の記入例" in load_document(target).text for f in required)


def test_draft_refuses_missing_required_field(window):
    tab = window.draft_tab
    for w in tab.inputs.values():
        (w.setPlainText if hasattr(w, "setPlainText") else w.setText)("")
    assert not tab.run()
    assert window.messages[-1]


def _json_finder(word: str, better: str):
    def reply(prompt: str) -> str:
        items = [{"original": word, "suggestion": better, "reason": "公用文では漢字で書く。"}] if word in prompt else []
        return json.dumps({"findings": items}, ensure_ascii=False)
    return reply


def test_proofread_findings_accept_reject_export(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=_json_finder("及び", "および")))
    w.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = w.proofread_tab
    w.tabs.setCurrentWidget(tab)
    tab.use_rules.setChecked(False)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    n = tab.model.rowCount()
    assert n >= 2 and tab.table.model() is tab.model
    # clicking a finding selects its place in the document
    tab.table.selectRow(1)
    f1 = tab.model.findings[1]
    assert w.document_view.text.textCursor().selectedText() == f1.original
    tab.table.selectRow(0)
    tab.decide_selected("accepted")
    tab.table.selectRow(1)
    tab.decide_selected("rejected")
    assert tab.model.decisions[:2] == ["accepted", "rejected"]
    assert tab.model.accepted() == [tab.model.findings[0]]
    expected = w.document.text[:tab.model.findings[0].start] + "および" + w.document.text[tab.model.findings[0].end:]
    assert tab.corrected_text() == expected
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / "校正.docx"))
    from gennai_desktop.documents import load_document
    again = load_document(target)
    assert again.text.count("および") == 1


def test_proofread_docx_exports_tracked_changes(qtbot, window, corpus, tmp_path):
    import zipfile
    window.open_path(corpus / "real" / "report_cio_metadata.docx")
    tab = window.proofread_tab
    tab.use_model.setChecked(False)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    replacements = [i for i, f in enumerate(tab.model.findings) if f.is_replacement]
    assert len(replacements) >= 2, "the rules find something to change in a real report"
    first, second = replacements[:2]
    tab.table.selectRow(first)
    assert window.document_view.text.textCursor().selectedText() == tab.model.findings[first].original
    tab.decide_selected("accepted")
    tab.table.selectRow(second)
    tab.decide_selected("rejected")
    assert "1" in tab.summary_label.text()
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target and target.endswith(".docx")
    xml = zipfile.ZipFile(target).read("word/document.xml").decode("utf-8")
    f = tab.model.findings[first]
    assert "<w:ins " in xml and "<w:del " in xml
    assert f.suggestion in xml
