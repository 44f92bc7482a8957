"""File dialogs (issue 25 items 5 and 10): Qt's own dialog, wholly in Japanese in the
Japanese UI (qtbase_ja plus the Qt 6 mnemonic strings it lacks), starting in the last used
folder, and the Open dialog offers scans and images (everything the loader reads)."""
from __future__ import annotations

import re

import pytest

from gennai_desktop.documents.loader import SUPPORTED_SUFFIXES
from gennai_desktop.ui import file_dialogs
from gennai_desktop.ui.qt import QFileDialog, QLabel, QPushButton, QToolButton
from gennai_desktop.ui.translations import install_qt_translations

ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def dialogs(monkeypatch):
    """Every dialog the app shows, answered with the next queued path."""
    seen: list[QFileDialog] = []
    answers: list[str] = []

    def fake(d: QFileDialog) -> str:
        seen.append(d)
        return answers.pop(0) if answers else ""

    monkeypatch.setattr(file_dialogs, "run_dialog", fake)
    return seen, answers


@pytest.fixture
def japanese_qt(qapp):
    assert install_qt_translations(qapp, "ja")
    yield
    install_qt_translations(qapp, "en")


def _visible_texts(d: QFileDialog) -> list[str]:
    texts = [w.text() for w in d.findChildren(QLabel) + d.findChildren(QPushButton) if w.text()]
    texts += [b.toolTip() for b in d.findChildren(QToolButton) if b.toolTip()]
    return texts


def test_open_dialog_is_japanese_offers_scans_and_remembers_the_folder(window, dialogs, japanese_qt,
                                                                        kenpo_docx, tmp_path):
    seen, answers = dialogs
    answers.append(str(kenpo_docx))
    window.open_dialog()
    assert window.loading is None or window.loading.wait()
    assert window.document is not None
    d = seen[0]
    assert d.testOption(QFileDialog.Option.DontUseNativeDialog)
    filters = ";;".join(d.nameFilters())
    for suffix in SUPPORTED_SUFFIXES:                 # scans (.png/.jpg/.tif…) and .md/.html too
        assert f"*{suffix}" in filters, suffix
    assert "スキャン画像" in filters
    texts = _visible_texts(d)
    assert any("ファイルの種類" in t for t in texts) and any("ファイル名" in t for t in texts), texts
    english = [t for t in texts if ASCII_WORD.search(t.replace("&", ""))]
    assert not english, english                       # no "Look in:" / "Files of type:"
    # the next dialog starts where the last file came from, also a save dialog
    window.open_dialog()
    assert seen[1].directory().absolutePath() == str(kenpo_docx.parent)


def test_save_dialog_starts_in_the_last_used_folder(window, dialogs, qtbot, kenpo_docx, tmp_path):
    seen, answers = dialogs
    out = tmp_path / "saved"
    out.mkdir()
    assert window.open_path(kenpo_docx)
    tab = window.proofread_tab
    window.tabs.setCurrentWidget(tab)
    assert tab.run()
    qtbot.waitUntil(lambda: not tab.busy, timeout=60000)
    answers.append(str(out / "校正.docx"))
    assert tab.save_dialog()
    assert seen[0].acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert seen[0].directory().absolutePath() == str(kenpo_docx.parent)   # the document's folder, last used
    assert not seen[0].testOption(QFileDialog.Option.DontConfirmOverwrite)
    window.open_dialog()                                 # answered "" (cancelled)
    assert seen[1].directory().absolutePath() == str(out)   # where the last save went
