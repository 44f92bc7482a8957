"""The 質問 tab asks the 議事録 transcripts kept in the window's encrypted history."""
from __future__ import annotations

import pytest

from gennai_desktop.qa.transcripts import SOURCE
from tests.qa.test_transcripts import _record

from .conftest import wait_idle

pytestmark = pytest.mark.qt


def test_the_qa_tab_asks_the_transcripts(window, qtbot):
    assert window.store is not None
    _record(window.store, "庁舎管理打合せ")
    tab = window.qa_tab
    tab.transcripts_button.click()
    assert tab.source() == SOURCE and "議事録" in tab.source_label.text()
    tab.question_edit.setText("工事はいつ実施する予定ですか")
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done" and "8月" in tab.result.answer
    assert tab._on_item(tab.citations.topLevelItem(0)) is False     # a transcript line: nothing to open
