"""Every tab's result is bound to the document (path + sha256 of its text) it was computed
from. Opening another document takes it out of view (it stays with its own document, see
test_document_sessions.py), export refuses a result from another document, and the export
name is the source's."""
from __future__ import annotations

from gennai_desktop.documents import load_document
from gennai_desktop.ui.ime import commit_text

from .conftest import make_window, wait_idle

SHUKUJITSU = "law_kokumin-shukujitsu_323AC1000000178.txt"
KYUJITSU = "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"


def _run(qtbot, w, tab):
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    assert tab.result is not None and tab.result_is_current()


# laws with something the 法令 standard itself changes (基く→基づく, 但し→ただし …): most
# modern laws in the corpus are clean under the 法令 profile, which is the point
KENPO_DOCX = "law_nihonkoku-kenpo_321CONSTITUTION.docx"
KENPO_TXT = "law_nihonkoku-kenpo_321CONSTITUTION.txt"


def test_proofread_result_cleared_and_refused_for_other_document(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot)
    w.open_path(ja_corpus / KENPO_DOCX)
    tab = w.proofread_tab
    tab.use_model.setChecked(False)
    _run(qtbot, w, tab)
    assert tab.model.rowCount() > 0
    old_key = tab.result_doc
    assert old_key.name == "law_nihonkoku-kenpo_321CONSTITUTION"
    assert tab.default_filename().startswith("law_nihonkoku-kenpo_321CONSTITUTION_")
    # keep the old result around to prove export refuses it once the document changed
    stale = tab.result
    w.open_path(ja_corpus / KENPO_TXT)
    assert tab.model.rowCount() == 0 and tab.result is None
    assert not tab.save_button.isEnabled()
    assert tab.show_finding(0) == ""                       # nothing to highlight in the new text
    tab.result, tab.result_doc = stale, old_key            # a stale result sneaking back
    before = len(w.messages)
    assert tab.save_dialog(chooser=lambda name: str(tmp_path / name)) is None
    assert len(w.messages) == before + 1 and "別の文書" in w.messages[-1]
    assert not list(tmp_path.glob("*.docx"))
    # a new run on the new document exports under the new name, with its own findings
    tab.result = None
    _run(qtbot, w, tab)
    assert tab.default_filename().startswith("law_nihonkoku-kenpo_321CONSTITUTION_")
    assert tab.result_doc != old_key and tab.result_doc.path.endswith(".txt")
    tab.accept_all()
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target and "kenpo" in target
    lines = lambda t: [x for x in t.split("\n") if x.strip()]  # noqa: E731 - blank paragraphs drop
    assert lines(load_document(target).text) == lines(tab.corrected_text())
    assert tab.model.accepted() and tab.corrected_text() != w.document.text   # it changed something


def test_summary_result_cleared_on_other_document(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot)
    w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.summary_tab
    _run(qtbot, w, tab)
    assert tab.points.topLevelItemCount() > 0
    stale, stale_key = tab.result, tab.result_doc
    w.open_path(ja_corpus / KYUJITSU)
    assert tab.result is None and tab.points.topLevelItemCount() == 0
    assert tab.stream.toPlainText() == "" and not tab.save_button.isEnabled()
    tab.result, tab.result_doc = stale, stale_key
    assert tab.save_dialog(chooser=lambda name: str(tmp_path / name)) is None
    assert not list(tmp_path.glob("*.docx"))


def test_translate_result_cleared_on_other_document(qtbot, app_font, ja_corpus, tmp_path):
    from tests.support.fake_engine import FakeEngine
    w = make_window(qtbot, FakeEngine(reply=lambda p: "National holidays."))
    w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.translate_tab
    _run(qtbot, w, tab)
    stale, stale_key = tab.result, tab.result_doc
    w.open_path(ja_corpus / KYUJITSU)
    assert tab.result is None and tab.stream.toPlainText() == ""
    tab.result, tab.result_doc = stale, stale_key
    assert tab.save_dialog(chooser=lambda name: str(tmp_path / name)) is None
    tab.result = None
    _run(qtbot, w, tab)
    assert tab.default_filename().startswith("law_gyosei-kikan-kyujitsu_363AC0000000091_")


def test_reopening_same_document_keeps_result(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.proofread_tab
    tab.use_model.setChecked(False)
    _run(qtbot, w, tab)
    n = tab.model.rowCount()
    w.open_path(ja_corpus / SHUKUJITSU)                 # same path, same text
    assert tab.result is not None and tab.model.rowCount() == n


def test_draft_result_is_not_about_the_document(qtbot, app_font, ja_corpus, tmp_path):
    w = make_window(qtbot)
    tab = w.draft_tab
    for f in tab.template.fields:
        if f.required and not tab.field_values()[f.name].strip():
            commit_text(tab.inputs[f.name], f"{f.label_ja}の記入例")
    _run(qtbot, w, tab)
    w.open_path(ja_corpus / SHUKUJITSU)
    assert tab.result is not None                         # typed fields, not the document
    assert "kokumin" not in tab.default_filename()
    assert tab.save_dialog(chooser=lambda name: str(tmp_path / name))


def test_autosaved_result_not_restored_onto_other_text(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.proofread_tab
    tab.use_model.setChecked(False)
    _run(qtbot, w, tab)
    state = w.collect_state()
    w2 = make_window(qtbot)
    w2.open_path(ja_corpus / KYUJITSU)
    w2.restore_state(state, reopen=False)                # findings of another text
    assert w2.proofread_tab.result is None and w2.proofread_tab.model.rowCount() == 0
    w3 = make_window(qtbot)
    w3.restore_state(state, reopen=True)                 # reopens its own document
    assert w3.proofread_tab.model.rowCount() == tab.model.rowCount()
