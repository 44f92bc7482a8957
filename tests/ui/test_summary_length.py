"""要約 tab: the length control reaches the task, the result and the saved tab state."""
from __future__ import annotations

from gennai_desktop.tasks.summarize import points_for

from .conftest import wait_idle


def test_length_choice_sets_the_number_of_points_and_is_kept(window, qtbot, kenpo_docx):
    window.open_path(kenpo_docx)
    tab = window.summary_tab
    assert tab.length == "standard"
    tab.length_box.setCurrentIndex(tab.length_box.findData("long"))
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    assert tab.result.length == "long"
    assert len(tab.result.points) == points_for("bullets", "long")
    state = tab.state()
    assert state["length"] == "long" and state["result"]["length"] == "long"
    tab.length_box.setCurrentIndex(tab.length_box.findData("short"))
    tab.restore_state(state)
    assert tab.length == "long"


def test_a_restored_summary_keeps_its_document_information_line(window, qtbot, kenpo_docx):
    # the 文書情報 line (title, number, date, issuer) is part of what is exported: a summary
    # restored from the saved tab state must still carry it, with its citations
    window.open_path(kenpo_docx)
    tab = window.summary_tab
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", window.messages
    info = tab.result.info
    assert info is not None and "日本国憲法" in info.text
    state = tab.state()
    tab.clear_result()
    tab.restore_state(state)
    assert tab.result is not None and tab.result.info == info
