"""Opening real documents: .docx as structured text, PDF as rendered pages, errors as dialogs."""
from __future__ import annotations


from gennai_desktop.core.i18n import tr
from gennai_desktop.ui.qt import QDropEvent, QMessageBox, QMimeData, QPointF, Qt, QUrl


def test_open_docx_shows_headings_and_text(window, kenpo_docx):
    assert window.open_path(kenpo_docx)
    doc = window.document
    assert doc.format == "docx" and doc.blocks
    view = window.document_view
    assert not view.has_pages
    shown = view.text.toPlainText()
    heading = next(b for b in doc.blocks if b.kind == "heading")
    assert heading.text in shown
    # a paragraph deep in the document maps back exactly through the offset map
    para = [b for b in doc.blocks if b.kind == "paragraph" and len(b.text) > 10][20]
    assert view.select_range(para.start, para.end) == para.text
    assert str(kenpo_docx.resolve()) == window.recent_files()[0]          # kept in the encrypted store
    assert kenpo_docx.name in window.windowTitle()


def test_open_pdf_renders_pages_on_white(window, denshi_pdf):
    assert window.open_path(denshi_pdf)
    view = window.document_view
    assert view.has_pages
    assert view.pdf_doc.pageCount() == window.document.page_count
    assert view.tabs.currentWidget() is view.pdf_view
    size = view.pdf_doc.pagePointSize(0).toSize()
    img = view.pdf_doc.render(0, size)
    assert img.hasAlphaChannel()       # QtPdf renders transparent pages…
    window.resize(1200, 900)
    grab = view.pdf_view.grab().toImage()
    # …but the view paints them on white: sample the page's top margin (not the grey canvas)
    c = grab.pixelColor(grab.width() // 2, 30)
    assert (c.red(), c.green(), c.blue()) == (255, 255, 255)


def test_open_txt(window, ja_corpus):
    assert window.open_path(ja_corpus / "law_gyosei-kikan-kyujitsu_363AC0000000091.txt")
    assert window.document.format == "txt"
    assert window.document.blocks[0].text[:5] in window.document_view.text.toPlainText()


def test_corrupt_file_shows_japanese_dialog_and_app_stays_up(window, tmp_path, kenpo_docx):
    bad = tmp_path / "壊れた文書.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive at all")
    assert not window.open_path(bad)
    dlg = window.last_dialog
    assert isinstance(dlg, QMessageBox) and dlg.isVisible()
    assert dlg.windowTitle() == tr("ui.error.title.document", lang="ja")
    assert any("\u3040" <= ch <= "\u30ff" for ch in dlg.text())   # kana: a Japanese message
    dlg.close()
    assert window.document is None
    assert window.open_path(kenpo_docx)                             # still usable


def test_drop_a_file_opens_it(window, qtbot, denshi_docx):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(denshi_docx))])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                    Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)
    qtbot.waitUntil(lambda: window.loading is None)      # opened in the background
    assert window.document is not None and window.document.path.name == denshi_docx.name


def test_recent_files_menu_reopens(window, qtbot, kenpo_docx, denshi_docx):
    window.open_path(kenpo_docx)
    window.open_path(denshi_docx)
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions[:2]] == [denshi_docx.name, kenpo_docx.name]
    actions[1].trigger()
    qtbot.waitUntil(lambda: window.loading is None)
    assert window.document.path.name == kenpo_docx.name
