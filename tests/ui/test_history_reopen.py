"""Issue 25 item 2 (window side): 履歴 → 開く reopens a result with its document — opening the
source when it is still there, read-only with its citations when it is gone or changed —
with no stale notice above it; 質問 entries are named, previewed and searchable; 削除 asks."""
from __future__ import annotations

import shutil

from gennai_desktop.ui.ime import commit_text
from gennai_desktop.ui.qt import QMessageBox
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle

SHUKUJITSU = "law_kokumin-shukujitsu_323AC1000000178.txt"
GIJIROKU = "gijiroku_moj_hoseishingikai198.txt"
DENSHI_PDF = "law_denshi-shomei_412AC0000000102.pdf"


def _run(qtbot, w, tab) -> None:
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages


def _history_entry(w, task: str):
    dlg = w.open_history()
    row = next(i for i, e in enumerate(dlg.entries) if e.task == task)
    dlg.list.setCurrentRow(row)
    return dlg


def test_reopen_opens_the_source_document(qtbot, app_font, ja_corpus, tmp_path):
    src = tmp_path / GIJIROKU                  # minutes: 公用文 findings (a law gets none under 法令)
    shutil.copy(ja_corpus.parent / "real" / GIJIROKU, src)
    w = make_window(qtbot)
    assert w.open_path(src)
    w.proofread_tab.use_model.setChecked(False)
    _run(qtbot, w, w.proofread_tab)
    findings = list(w.proofread_tab.model.findings)
    assert findings
    w2 = make_window(qtbot)                              # a later session, nothing open
    assert w2.document is None
    _history_entry(w2, "proofread").reopen()
    assert w2.document is not None and w2.document.path.resolve() == src.resolve()
    assert w2.proofread_tab.model.findings == findings and w2.tabs.currentWidget() is w2.proofread_tab
    assert w2.proofread_tab.show_finding(0) == findings[0].original      # offsets hold in the reopened text
    assert "文書「" in w2.messages[-1] and GIJIROKU in w2.messages[-1]


def test_reopen_clears_a_stale_cancel_notice(qtbot, app_font, ja_corpus, tmp_path):
    src = tmp_path / SHUKUJITSU
    shutil.copy(ja_corpus / SHUKUJITSU, src)
    w = make_window(qtbot)
    assert w.open_path(src)
    _run(qtbot, w, w.summary_tab)
    slow = FakeEngine(reply=lambda p: "本法は国民の祝日について定める。" * 40, delay=0.05,
                      spec=instruct_spec())     # a base model skips the pass: nothing to cancel
    w2 = make_window(qtbot, slow)
    assert w2.open_path(src)
    tab = w2.summary_tab
    w2.tabs.setCurrentWidget(tab)
    assert tab.run()
    qtbot.waitUntil(lambda: tab.stream.toPlainText() != "" or not tab.busy, timeout=20000)
    tab.cancel()
    wait_idle(qtbot, tab)
    assert "中止" in tab.notices.text()
    _history_entry(w2, "summarize").reopen()
    assert tab.result is not None and "中止" not in tab.notices.text()
    assert not tab.showing_draft and not tab.draft_label.isVisible()


def test_missing_source_is_shown_read_only_with_citations(qtbot, app_font, ja_corpus, tmp_path):
    src = tmp_path / DENSHI_PDF
    shutil.copy(ja_corpus / DENSHI_PDF, src)
    w = make_window(qtbot)
    assert w.open_path(src)
    _run(qtbot, w, w.summary_tab)
    points = w.summary_tab.result.points
    assert w.close_document(0, confirm=lambda s, tabs: True)
    src.unlink()
    _history_entry(w, "summarize").reopen()
    view = w.last_history_view
    assert view.isVisible() and "見つからない" in view.why.text()
    body = view.body.toPlainText()
    assert points[0].text in body
    assert f"引用元：{points[0].citations[0].page}ページ" in body
    assert w.document is None                            # nothing pretends to be the document


def test_changed_source_is_shown_read_only(qtbot, app_font, ja_corpus, tmp_path):
    src = tmp_path / GIJIROKU
    shutil.copy(ja_corpus.parent / "real" / GIJIROKU, src)
    w = make_window(qtbot)
    assert w.open_path(src)
    w.proofread_tab.use_model.setChecked(False)
    _run(qtbot, w, w.proofread_tab)
    first = w.proofread_tab.model.findings[0]
    src.write_bytes(src.read_bytes() + "\n追記した段落です。".encode("cp932"))      # the file is Shift_JIS
    w2 = make_window(qtbot)
    _history_entry(w2, "proofread").reopen()
    assert w2.document is None and "変更されています" in w2.last_history_view.why.text()
    assert first.message in w2.last_history_view.body.toPlainText()


def test_qa_entry_named_previewed_searchable(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    commit_text(w.qa_tab.question_edit, "山の日は何月何日ですか")
    _run(qtbot, w, w.qa_tab)
    dlg = w.open_history()
    item = dlg.list.item(0).text()
    assert "storage.task" not in item and "質問" in item
    assert "山の日は何月何日ですか" in dlg.preview.toPlainText()
    assert w.qa_tab.result.citations[0].text in dlg.preview.toPlainText()
    dlg.search.setText("山の日")
    assert dlg.list.count() == 1
    dlg.reopen()
    assert w.qa_tab.result is not None and w.tabs.currentWidget() is w.qa_tab


def test_delete_asks_first(qtbot, app_font, ja_corpus, monkeypatch):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    _run(qtbot, w, w.summary_tab)
    dlg = w.open_history()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No))
    assert not dlg.delete_selected()
    assert w.store.count_results() == 1 and "元に戻せません" in asked[0] and "要約" in asked[0]
    assert dlg.delete_selected(confirm=lambda e: True) and w.store.count_results() == 0
