"""Dark palette following the OS, and a missing 必須項目 named in the message."""
from __future__ import annotations

from gennai_desktop.ui import theme

from .conftest import make_window


def test_dark_palette_when_the_os_is_dark_and_back(qtbot, app_font, qapp, monkeypatch):
    from gennai_desktop.ui.qt import QPalette
    w = make_window(qtbot)
    try:
        assert theme.apply_theme(qapp, dark=True)
        window_colour = qapp.palette().color(QPalette.ColorRole.Window)
        text_colour = qapp.palette().color(QPalette.ColorRole.WindowText)
        assert window_colour.lightness() < 80 < text_colour.lightness()
        monkeypatch.setattr(theme, "os_prefers_dark", lambda: False)
        assert not theme.apply_theme(qapp)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 150
        assert w.isVisible()
    finally:
        theme.apply_theme(qapp, dark=False)


def test_missing_required_fields_are_named(window):
    tab = window.draft_tab
    for w in tab.inputs.values():
        (w.setPlainText if hasattr(w, "setPlainText") else w.setText)("")
    assert not tab.run()
    required = [f.label_ja for f in tab.template.fields if f.required]
    assert required and all(name in window.messages[-1] for name in required)


def test_docx_pane_shows_no_lone_tab_label_pdf_pane_shows_both(window, ja_corpus):
    view = window.document_view
    assert window.open_path(ja_corpus / "law_denshi-shomei_412AC0000000102.docx")
    assert view.tabs.count() == 1 and not view.tabs.tabBar().isVisible()
    assert window.open_path(ja_corpus / "law_denshi-shomei_412AC0000000102.pdf")
    assert view.tabs.count() == 2 and view.tabs.tabBar().isVisible()


def test_no_stray_page_view_over_a_docx(window, ja_corpus):
    """The PDF page view, out of the tabs for a .docx, must not paint over the text."""
    assert window.open_path(ja_corpus / "law_denshi-shomei_412AC0000000102.pdf")
    assert window.document_view.pdf_view.isVisible() or window.document_view.tabs.currentIndex() == 0
    assert window.open_path(ja_corpus / "law_denshi-shomei_412AC0000000102.docx")
    assert not window.document_view.pdf_view.isVisible()
