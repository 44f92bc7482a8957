"""Issue 25 item 3 and 5 (progress): long work shows honest progress — the line moves every
second with the elapsed time and the characters produced, an estimate appears once two units
are done (never before), the extractive summary is shown before the model pass, and the OCR
status line stays up with the pages and the time left instead of vanishing after 8 s."""
from __future__ import annotations

from gennai_desktop.core.i18n import set_language
from gennai_desktop.ui.progress_clock import ProgressClock, duration
from tests.support import ocr_synth as synth
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle

SHUKUJITSU = "law_kokumin-shukujitsu_323AC1000000178.txt"


class FakeTime:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_clock_estimates_only_after_two_units_and_keeps_moving():
    set_language("ja")
    now = FakeTime()
    c = ProgressClock(now)
    c.update(0, 4, "summary.stage.map", "ui.clock.unit.chunk")
    first = c.text()
    assert "0/4" in first and "経過 0秒" in first and "2つ終わると" in first and c.remaining() is None
    now.t += 75
    c.add_text(1234)
    assert "経過 1分15秒" in c.text() and "1,234字" in c.text()      # moves with no unit finished
    c.update(1, 4, "summary.stage.map")
    assert c.remaining() is None                                      # one unit: no guess yet
    now.t += 45                                                       # two units in 120 s
    c.update(2, 4, "summary.stage.map")
    assert c.remaining() == 120.0 and "残り約2分0秒" in c.text()
    c.update(0, 1, "summary.stage.reduce")                            # a new stage starts over
    assert c.remaining() is None and "0/1" not in c.text()
    assert duration(3725) == "1時間2分"


def test_summary_shows_key_sentences_first_and_a_moving_progress_line(qtbot, app_font, ja_corpus):
    slow = FakeEngine(reply=lambda p: "本法は国民の祝日について定める。" * 30, delay=0.05,
                      spec=instruct_spec())     # a base model skips the model pass: nothing runs long
    w = make_window(qtbot, slow)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.summary_tab
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    # the cheap result first: extractive points with their citations, labelled, before the model ends
    qtbot.waitUntil(lambda: tab.quick is not None, timeout=30000)
    assert tab.busy and tab.result is None
    assert tab.quick_label.isVisible() and "モデルを使わない要約" in tab.quick_label.text()
    assert tab.points.topLevelItemCount() == len(tab.quick.points) > 0
    qtbot.waitUntil(lambda: "経過" in tab.progress_line.text(), timeout=30000)
    assert tab.progress_line.isVisible() and tab.progress_line.wordWrap()
    assert "経過" not in tab.progress.text()            # the bar shows units only; the line is whole, wrapped
    before = tab.progress_line.text()
    qtbot.waitUntil(lambda: tab.progress_line.text() != before, timeout=5000)   # rewritten while running
    tab.cancel()
    wait_idle(qtbot, tab)
    # what was read stays, said to be key sentences, not a model summary
    assert tab.points.topLevelItemCount() > 0 and "抜き出した" in tab.quick_label.text()


def test_summary_result_replaces_the_key_sentences(qtbot, app_font, ja_corpus):
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / SHUKUJITSU)
    tab = w.summary_tab
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.result is not None and not tab.quick_label.isVisible()
    assert tab.points.topLevelItemCount() == len(tab.result.points)


def test_ocr_status_stays_with_pages_and_time_left(window, qtbot, tmp_path):
    images = [synth.render_lines(["第一条　この規則は、文書の管理について定める。"]) for _ in range(4)]
    path = tmp_path / "scan.pdf"
    images[0].save(path, resolution=200, save_all=True, append_images=images[1:])
    done: list[bool] = []
    assert window.open_path_async(path, on_done=done.append) is not None
    qtbot.waitUntil(lambda: window.load_clock is not None and window.load_clock.done >= 2 or bool(done),
                    timeout=240000)
    assert not done              # two pages left: the line says how many and how long, and stays
    line = window.statusBar().currentMessage()
    assert "文字認識（OCR）中" in line and "経過" in line and "残り約" in line, line
    qtbot.waitUntil(lambda: bool(done), timeout=240000)
    assert done == [True]
