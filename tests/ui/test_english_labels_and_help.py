"""English UI (issue 25 item 10): citation labels say "p.3", not 「3ページ」; Help names every
tab of the window (質問 and 議事録 too), in each language."""
from __future__ import annotations

import pytest

from gennai_desktop.core.i18n import get_language, set_language, tr
from gennai_desktop.qa.answer import Citation
from gennai_desktop.ui.qt import QTextBrowser
from gennai_desktop.ui.tabs.qa_tab import citation_title


@pytest.fixture
def english():
    before = get_language()
    set_language("en")
    yield
    set_language(before)


def test_citation_labels_follow_the_ui_language(english):
    page = Citation(file="/x/規程.pdf", block="b0003", page=3, text="本文", holds_answer=True)
    para = Citation(file="/x/規程.docx", block="b0007", page=None, text="本文")
    assert page.label() == "規程.pdf p.3"
    assert para.label() == "規程.docx ¶b0007"
    assert "ページ" not in citation_title(1, page) and "段落" not in citation_title(2, para)
    assert page.label("ja") == "規程.pdf 3ページ" and para.label("ja") == "規程.docx 段落 b0007"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_help_names_every_tab(window, lang):
    before = get_language()
    set_language(lang)
    try:
        window.open_help()
        view = window.help_dialog.findChild(QTextBrowser, "helpBrowser")
        text = view.toPlainText()
        names = [tr(f"ui.tab.{t.task_name}") for t in window.task_tabs]
        assert len(names) >= 6
        missing = [n for n in names if n not in text]
        assert not missing, missing
        assert "消去されます" not in text and "clears it" not in text   # results stay with their document
        window.help_dialog.close()
    finally:
        set_language(before)
