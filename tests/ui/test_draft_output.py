"""The result box never shows rejected model text as the result: the stream is a grey,
labelled 「下書き（検証前）」 draft, replaced by the validated result when the task ends."""
from __future__ import annotations

from gennai_desktop.core.events import TextDelta
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle

REJECTED = "ああああああああああああああああああああ"   # degenerate: the summary task rejects it


def test_rejected_summary_stream_is_a_grey_draft_then_replaced(qtbot, app_font, ja_corpus):
    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=lambda p: REJECTED))
    w.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = w.summary_tab
    assert tab.run()
    during: list[tuple[bool, str, str]] = []

    def seen(ev) -> None:
        if isinstance(ev, TextDelta):
            tab.flush_stream()            # streamed text reaches the view every ~50 ms; look at it now
            during.append((tab.draft_label.isVisible(), tab.stream.styleSheet(), tab.stream.toPlainText()))
    tab.worker.signals.event.connect(seen)
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    assert during, "the fake model streamed something"
    assert all(visible and "#808080" in style for visible, style, _ in during)
    assert any("ああ" in text for _, _, text in during)
    # the model's text was rejected: the box now shows only the validated (extractive) result
    assert tab.result.method == "extractive"
    assert "ああああ" not in tab.stream.toPlainText()
    assert tab.stream.toPlainText() == tab.result.text
    assert not tab.draft_label.isVisible() and tab.stream.styleSheet() == ""
    assert not tab.showing_draft


def test_cancelled_stream_stays_marked_as_unvalidated(qtbot, app_font, ja_corpus):
    holder: dict = {"n": 0}

    def reply(prompt: str) -> str:
        holder["n"] += 1
        if holder["n"] == 2:                  # the first block streamed; cancel during the second
            holder["tab"].worker.cancel_token.cancel()
        return "This Act sets the national holidays."

    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=reply))
    w.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = w.translate_tab
    w.tabs.setCurrentWidget(tab)
    holder["tab"] = tab
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "cancelled"
    assert tab.result is None and tab.result_text() == ""          # nothing to copy as a result
    assert not tab.copy_button.isEnabled() and not tab.save_button.isEnabled()
    assert "national holidays" in tab.stream.toPlainText()         # the raw draft is still readable
    assert tab.draft_label.isVisible() and "検証されておらず" in tab.draft_label.text()
    assert "#808080" in tab.stream.styleSheet()
    assert tab.state()["stream"] == ""                             # autosave keeps no draft
