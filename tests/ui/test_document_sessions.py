"""Issue 25 item 1: results belong to documents, not to the window.

Opening another document — from the menu or from a 質問 citation — keeps every tab's result
and the user's 採用/不採用 decisions with the document they were made on; switching back
shows them again; closing a document with unsaved decisions asks first."""
from __future__ import annotations

import shutil
from pathlib import Path

from gennai_desktop.ui.ime import commit_text

from .conftest import make_window, wait_idle

SHUKUJITSU = "law_kokumin-shukujitsu_323AC1000000178.txt"
KYUJITSU = "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"
DENSHI = "law_denshi-shomei_412AC0000000102.docx"


def _run(qtbot, w, tab) -> None:
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages


def _proofread_with_decisions(qtbot, w):
    tab = w.proofread_tab
    tab.use_model.setChecked(False)
    tab.profile_box.setCurrentIndex(tab.profile_box.findData("koyobun"))   # 法令 finds nothing in these laws
    _run(qtbot, w, tab)
    assert tab.model.rowCount() >= 2
    tab.table.selectRow(0)
    tab.decide_selected("accepted")
    tab.table.selectRow(1)
    tab.decide_selected("rejected")
    return list(tab.model.findings), list(tab.model.decisions)


def test_results_and_decisions_come_back_after_opening_another_document(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / DENSHI)
    findings, decisions = _proofread_with_decisions(qtbot, w)
    _run(qtbot, w, w.summary_tab)
    summary = w.summary_tab.result.text
    assert w.open_path(ja_corpus / SHUKUJITSU)
    # the new document starts clean …
    assert w.proofread_tab.result is None and w.summary_tab.result is None
    assert [w.document_bar.tabText(i) for i in range(w.document_bar.count())] == [DENSHI, SHUKUJITSU]
    assert not any("消去" in m for m in w.messages)          # nothing was cleared
    # … and the first document's work is all there when the user switches back
    w.document_bar.setCurrentIndex(0)
    assert Path(w.document.path).name == DENSHI
    assert w.proofread_tab.model.findings == findings and w.proofread_tab.model.decisions == decisions
    assert w.summary_tab.result is not None and w.summary_tab.result.text == summary
    assert w.summary_tab.save_button.isEnabled() and w.proofread_tab.save_button.isEnabled()
    # opening the already-open file again switches to it, results intact
    assert w.open_path(ja_corpus / SHUKUJITSU) and Path(w.document.path).name == SHUKUJITSU
    assert w.open_path(ja_corpus / DENSHI) and w.proofread_tab.model.decisions == decisions


def test_qa_citation_opening_another_file_keeps_decisions(qtbot, app_font, ja_corpus, tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    for name in (SHUKUJITSU, DENSHI):
        shutil.copy(ja_corpus / name, folder / name)
    w = make_window(qtbot)
    assert w.open_path(folder / DENSHI)
    findings, decisions = _proofread_with_decisions(qtbot, w)
    qa = w.qa_tab
    qa.set_folder(str(folder))
    commit_text(qa.question_edit, "山の日は何月何日ですか")
    _run(qtbot, w, qa)
    cited = Path(qa.result.citations[0].file).name
    assert cited == SHUKUJITSU
    assert qa._on_item(qa.citations.topLevelItem(0))          # opens the cited file
    assert Path(w.document.path).name == SHUKUJITSU
    assert qa.result is not None                              # the answer about the folder stays
    w.document_bar.setCurrentIndex(0)
    assert Path(w.document.path).name == DENSHI
    assert w.proofread_tab.model.findings == findings and w.proofread_tab.model.decisions == decisions


def test_closing_a_document_with_unsaved_decisions_asks(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / DENSHI)
    _proofread_with_decisions(qtbot, w)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    asked = []
    assert not w.close_document(0, confirm=lambda s, tabs: asked.append((s.name, tabs)) or False)
    assert asked == [(DENSHI, ["proofread"])] and w.document_bar.count() == 2
    # saved (exported) work is not asked about; a decision changed after saving is again
    w.document_bar.setCurrentIndex(0)
    assert w.proofread_tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert w.close_document(1, confirm=lambda s, tabs: asked.append(tabs) or False)   # nothing to lose there
    w.proofread_tab.table.selectRow(2)
    w.proofread_tab.decide_selected("accepted")
    assert not w.close_document(0, confirm=lambda s, tabs: asked.append(tabs) or False)
    assert asked[-1] == ["proofread"]
    assert w.close_document(0, confirm=lambda s, tabs: True)
    assert w.document is None and w.document_bar.count() == 0 and w.proofread_tab.result is None
    assert not w.document_bar.isVisible()


def test_switching_is_refused_while_a_task_runs(qtbot, app_font, ja_corpus):
    from tests.support.fake_engine import FakeEngine
    w = make_window(qtbot, FakeEngine(reply=lambda p: "本法は電子署名について定める。" * 20, delay=0.05))
    assert w.open_path(ja_corpus / SHUKUJITSU)
    assert w.open_path(ja_corpus / KYUJITSU)
    w.tabs.setCurrentWidget(w.translate_tab)
    assert w.translate_tab.run()
    w.document_bar.setCurrentIndex(0)
    assert Path(w.document.path).name == KYUJITSU and w.document_bar.currentIndex() == 1
    assert "処理の実行中" in w.messages[-1]
    w.translate_tab.cancel()
    wait_idle(qtbot, w.translate_tab)


def test_every_open_document_is_autosaved_and_restored(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / DENSHI)
    findings, decisions = _proofread_with_decisions(qtbot, w)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    _run(qtbot, w, w.summary_tab)
    state = w.collect_state()
    w2 = make_window(qtbot)
    w2.restore_state(state)
    assert [w2.document_bar.tabText(i) for i in range(w2.document_bar.count())] == [DENSHI, SHUKUJITSU]
    assert Path(w2.document.path).name == SHUKUJITSU and w2.summary_tab.result is not None
    w2.document_bar.setCurrentIndex(0)
    assert w2.proofread_tab.model.findings == findings and w2.proofread_tab.model.decisions == decisions
