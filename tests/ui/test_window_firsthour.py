"""Window basics: sized to the screen, Ctrl+Tab between tabs, Ctrl++/Ctrl+- text size
(persisted), F1 local help, accessible names, title kept after a language switch, and
an About box that does not claim there is no network at all."""
from __future__ import annotations

from gennai_desktop.core.i18n import tr
from gennai_desktop.core.settings import Settings, load_settings
from gennai_desktop.ui.qt import QApplication, QKeySequence, Qt

from .conftest import make_window


def test_window_fits_the_available_screen(window):
    avail = window.screen().availableGeometry()
    assert window.width() <= avail.width() and window.height() <= avail.height()
    assert window.width() < 1280                  # the offscreen screen is 800×800: not the fixed size

    class Small:                                  # a 1366×768 laptop with a task bar
        def availableGeometry(self):
            from gennai_desktop.ui.qt import QRect
            return QRect(0, 0, 1366, 728)
    window.fit_to_screen(Small())
    assert window.width() == 1229 and window.height() == 655
    assert window.x() >= 0 and window.y() >= 0


def test_ctrl_tab_switches_tabs(qtbot, window):
    window.activateWindow()
    window.tabs.setCurrentIndex(0)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    window.switch_tab(-1)
    window.switch_tab(-1)
    assert window.tabs.currentIndex() == window.tabs.count() - 1   # wraps around
    names = {a.text(): [s.toString() for s in a.shortcuts()] for a in window.findChildren(type(window.run_action))}
    assert "Ctrl+Tab" in names[tr("ui.action.next_tab")]


def test_text_size_keys_change_and_persist(qtbot, app_font):
    w = make_window(qtbot)
    before = w.text_size()
    w.change_text_size(+1)
    w.change_text_size(+1)
    assert w.font().pointSizeF() == before + 2
    assert w.document_view.font().pointSizeF() == before + 2
    assert load_settings().text_size_pt == before + 2            # saved with the settings
    again = make_window(qtbot, settings=load_settings())
    assert again.font().pointSizeF() == before + 2               # next start keeps it
    keys = {s.toString() for a in w.findChildren(type(w.run_action)) for s in a.shortcuts()}
    assert {"Ctrl++", "Ctrl+-", "Ctrl+0", "F1"} <= keys
    w.reset_text_size()
    assert load_settings().text_size_pt == 0.0


def test_f1_opens_local_help(qtbot, window):
    window.open_help()
    dlg = window.help_dialog
    assert dlg.isVisible()
    from gennai_desktop.ui.qt import QTextBrowser
    view = dlg.findChild(QTextBrowser, "helpBrowser")
    assert view.source().isLocalFile() and "help_ja.html" in view.source().toLocalFile()
    assert "Ctrl+Tab" in view.toPlainText() and "校正" in view.toPlainText()
    dlg.close()


def test_main_controls_have_accessible_names(window):
    from gennai_desktop.ui.qt import QComboBox, QPlainTextEdit, QPushButton, QTableView
    missing = []
    for cls in (QPushButton, QComboBox, QPlainTextEdit, QTableView):
        for wd in window.findChildren(cls):
            if wd.objectName() in ("", "qt_scrollarea_viewport") and cls is not QPushButton:
                continue
            if not wd.accessibleName().strip():
                missing.append(f"{cls.__name__}:{wd.objectName()}:{getattr(wd, 'text', lambda: '')()}")
    assert not missing, missing
    assert window.tabs.accessibleName() and window.document_view.accessibleName()


def test_title_keeps_document_name_after_language_switch(qtbot, app_font, ja_corpus):
    from .conftest import wait_idle
    w = make_window(qtbot)
    w.open_path(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.txt")
    assert w.windowTitle().startswith("law_nihonkoku-kenpo")
    w.proofread_tab.use_model.setChecked(False)
    assert w.proofread_tab.run()
    wait_idle(qtbot, w.proofread_tab)
    n = w.proofread_tab.model.rowCount()
    assert n > 0
    try:
        w.apply_settings(w.settings.model_copy(update={"language": "en"}))
        assert w.windowTitle() == "law_nihonkoku-kenpo_321CONSTITUTION.txt — GENNAI Desktop"
        # rebuilt tabs keep the result: it belongs to the document still open
        assert w.proofread_tab.model.rowCount() == n and w.proofread_tab.result_is_current()
    finally:
        w.apply_settings(w.settings.model_copy(update={"language": "ja"}))
    assert w.windowTitle().endswith("源内デスクトップ") and "kenpo" in w.windowTitle()


def test_about_box_is_honest_about_network(window):
    window.about()
    text = window.messages[-1]
    assert "通信は一切行いません" not in text
    assert "文書の内容は外部に送信しません" in text and "モデル配布元" in text
