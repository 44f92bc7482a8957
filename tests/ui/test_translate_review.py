"""翻訳 names WHICH sentences may have lost or gained a negation (issue 25 item 4): the tab
lists them (translation and source) and marks them in the translation; the saved .docx
highlights each one and carries a Word comment quoting its source sentence."""
from __future__ import annotations

import docx

from tests.support.fake_engine import FakeEngine

from .conftest import make_window, wait_idle

SOURCE = {
    "職員は、許可なく庁舎に立ち入ってはならない。": "Employees may enter the building without permission.",
    "年次休暇は、一の年ごとに二十日とする。": "Annual leave shall be 20 days per year.",
    "申請は、書面でしなければならない。": "Applications must be made in writing.",
}


def _reply(prompt: str) -> str:
    src = prompt.rsplit("日本語: ", 1)[1].split("\n")[0]
    return SOURCE.get(src, "Chapter 1.")


def _translated(qtbot, tmp_path):
    path = tmp_path / "規程.txt"
    path.write_text("\n\n".join(SOURCE) + "\n", encoding="utf-8")
    w = make_window(qtbot, FakeEngine(reply=_reply))
    assert w.open_path(path)
    tab = w.translate_tab
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    return w, tab


def test_tab_lists_and_marks_the_flipped_sentence(qtbot, app_font, tmp_path):
    w, tab = _translated(qtbot, tmp_path)
    assert tab.review_list.isVisible()
    assert tab.review_list.count() == 1
    row = tab.review_list.item(0).text()
    assert "Employees may enter the building without permission." in row
    assert "職員は、許可なく庁舎に立ち入ってはならない。" in row
    assert "1" in tab.review_label.text()
    marks = tab.stream.extraSelections()
    assert [m.cursor.selectedText() for m in marks] == ["Employees may enter the building without permission."]
    tab.review_list.setCurrentRow(0)
    assert tab.stream.textCursor().selectedText() == "Employees may enter the building without permission."
    # the list survives the autosaved/rebuilt state, and goes with the result
    state = tab.state()
    tab.clear_result()
    assert not tab.review_list.isVisible()
    tab.restore_state(state)
    assert tab.review_list.count() == 1


def test_saved_docx_highlights_and_comments_the_flipped_sentence(qtbot, app_font, tmp_path):
    w, tab = _translated(qtbot, tmp_path)
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / "訳.docx"))
    assert target
    d = docx.Document(target)
    highlighted = [r.text for p in d.paragraphs for r in p.runs if r.font.highlight_color is not None]
    assert highlighted == ["Employees may enter the building without permission."]
    comments = list(d.comments)
    assert len(comments) == 1
    assert "職員は、許可なく庁舎に立ち入ってはならない。" in comments[0].text
    assert "否定" in comments[0].text and "negation" in comments[0].text
    # the other sentences are written unmarked, whole
    texts = [p.text for p in d.paragraphs]
    assert "Annual leave shall be 20 days per year." in texts
    assert "Applications must be made in writing." in texts
