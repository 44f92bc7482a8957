"""議事録 tab on real synthetic speech: transcript table, speaker naming per turn, an edited
line, minutes redrafted from the edit, Word export, and the honest note about playback."""
from __future__ import annotations

import docx
import pytest

from tests.asr.conftest import speech_clip  # noqa: F401 - the session fixture

from .conftest import wait_idle

pytestmark = [pytest.mark.qt, pytest.mark.slow]


def test_minutes_tab_transcribes_edits_and_saves(window, qtbot, speech_clip, asr_model, monkeypatch,  # noqa: F811
                                                 tmp_path):
    monkeypatch.setenv("GENNAI_ASR_MODEL", str(asr_model.path))
    tab = window.minutes_tab
    assert window.tabs.tabText(window.tabs.indexOf(tab)) == "議事録"
    assert tab.run() is False                      # no audio chosen yet: told, not run
    tab.set_audio(str(speech_clip[0]))
    tab.field_edits["件名"].setText("予算打合せ")
    assert tab.run()
    wait_idle(qtbot, tab, timeout=240_000)
    assert tab.last_run_outcome == "done", tab.notices.text()
    t = tab.result.transcript
    assert tab.table.rowCount() == len(t.utterances) >= 2
    assert "300万円" in t.text
    # name the speaker of turn 0 in the first row: every row of that turn shows it
    tab.table.item(0, 1).setText("課長")
    rows0 = [i for i, u in enumerate(t.utterances) if u.turn == 0]
    assert all(tab.table.item(i, 1).text() == "課長" for i in rows0)
    last = len(t.utterances) - 1
    tab.table.item(last, 2).setText("資料は、来月15日までに総務課へ提出してください。")
    assert t.utterances[last].edited
    res = tab.refresh_minutes()
    assert res.fields["出席者"] == "課長" and "予算打合せ　議事録" in tab.stream.toPlainText()
    assert any("総務課へ提出" in s.text for s in res.schedule)
    out = tab.save_dialog(chooser=lambda name: str(tmp_path / "m.docx"))
    assert out and "総務課へ提出" in "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "Qt Multimedia" in tab.playback_note.text()
    restored = tab.state()
    tab.clear_result()
    tab.restore_state(restored)
    assert tab.result is not None and tab.table.rowCount() == len(t.utterances)
