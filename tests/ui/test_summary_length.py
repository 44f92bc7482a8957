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
