"""IME safety (Enter while 変換 never submits) and the keyboard shortcuts."""
from __future__ import annotations

from gennai_desktop.ui.ime import ImeLineEdit, ImeTextEdit, commit_text, preedit_text
from gennai_desktop.ui.qt import QKeySequence, Qt

from .conftest import wait_idle


def _first_line_edit(tab):
    return next(w for w in tab.inputs.values() if isinstance(w, ImeLineEdit))


def test_enter_during_composition_does_not_submit(qtbot, window):
    edit = _first_line_edit(window.draft_tab)
    edit.setText("")
    submitted: list = []
    edit.submitted.connect(lambda: submitted.append(1))
    edit.setFocus()
    preedit_text(edit, "こうようぶん")
    assert edit.composing
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert submitted == []                       # Enter confirmed the conversion only
    commit_text(edit, "公用文")
    assert not edit.composing and edit.text() == "公用文"
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert submitted == [1]                      # outside composition Enter works


def test_ctrl_enter_during_composition_does_not_run(qtbot, window):
    tab = window.draft_tab
    window.tabs.setCurrentWidget(tab)
    edit = _first_line_edit(tab)
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    preedit_text(edit, "きあん")
    assert not window.run_current()              # the action's handler refuses
    qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not tab.busy and tab.result is None
    commit_text(edit, "起案")


def test_multiline_enter_during_composition_adds_no_newline(qtbot, window):
    edit = ImeTextEdit()
    qtbot.addWidget(edit)
    preedit_text(edit, "ほんぶん")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    commit_text(edit, "本文")
    assert edit.toPlainText() == "本文"
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.toPlainText() == "本文\n"


def test_shortcuts_are_bound(window):
    acts = {a.text(): a for m in window.menuBar().findChildren(type(window.recent_menu)) for a in m.actions()}
    keys = {a.shortcut().toString(QKeySequence.SequenceFormat.PortableText) for a in acts.values()}
    assert {"Ctrl+O", "Ctrl+S", "Ctrl+Return", "Esc"} <= keys


def test_ctrl_enter_runs_and_esc_cancels(qtbot, window, denshi_docx):
    from tests.support.fake_engine import FakeEngine, instruct_spec
    window.engine_provider._factory = lambda: FakeEngine(spec=instruct_spec(), reply=lambda p: "長い出力。" * 300, delay=0.02)
    window.open_path(denshi_docx)
    window.tabs.setCurrentWidget(window.summary_tab)
    window.activateWindow()
    window.summary_tab.style_box.setFocus()
    window.run_action.trigger()
    assert window.summary_tab.busy
    window.cancel_action.trigger()
    wait_idle(qtbot, window.summary_tab)
    assert window.summary_tab.last_run_outcome == "cancelled"
