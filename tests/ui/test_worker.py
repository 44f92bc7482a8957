"""The worker: events reach the UI thread, cancel stops generation within a second, the
UI thread keeps processing events while a model generates, and emitting thousands of
streamed tokens does not corrupt the interpreter (PySide6 6.12 emit refcount bug)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from gennai_desktop.core.events import Done, TextDelta
from gennai_desktop.ui.qt import QTimer
from gennai_desktop.ui.worker import TaskWorker
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle

REPO = Path(__file__).resolve().parents[2]
LONG = "第一条　この法律は、電子署名に関し、電磁的記録の真正な成立の推定について定める。" * 40


def test_many_qt_calls_do_not_abort_the_interpreter():
    """PySide6 6.12.0 on CPython 3.11 steals a reference to None/True per void call or
    emit; without the shim's workaround this child aborts with none_dealloc."""
    code = (
        "from gennai_desktop.ui.qt import QApplication, QLabel, QObject, Signal, emit\n"
        "class S(QObject):\n    sig = Signal(object)\n"
        "app = QApplication([]); label = QLabel(); s = S(); s.sig.connect(lambda v: None)\n"
        "for i in range(150000):\n    label.setText('x'); emit(s.sig, i)\n"
        "QApplication.processEvents(); print('survived')\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "survived" in out.stdout, out.stderr[-2000:]


def test_events_are_delivered_on_the_ui_thread(qtbot, qapp):
    threads: list = []

    def factory(cancel):
        for i in range(50):
            yield TextDelta(str(i))
        yield Done("ok")

    w = TaskWorker(factory)
    w.signals.event.connect(lambda ev: threads.append(threading.current_thread()))
    with qtbot.waitSignal(w.signals.finished, timeout=10000):
        with qtbot.waitSignal(w.signals.done, timeout=10000) as done:
            w.start()
    assert done.args == ["ok"]
    assert len(threads) == 50 and set(threads) == {threading.main_thread()}


def test_cancel_mid_generation_stops_within_a_second(qtbot, app_font, denshi_docx):
    engine = FakeEngine(spec=instruct_spec(), reply=lambda p: LONG, delay=0.02)
    w = make_window(qtbot, engine)
    w.open_path(denshi_docx)
    tab = w.translate_tab
    assert tab.run()
    assert tab.cancel_button.isEnabled() and not tab.run_button.isEnabled()
    qtbot.waitUntil(lambda: len(tab.stream.toPlainText()) > 30, timeout=20000)
    w.cancel_current()                          # what Esc does
    t0 = time.perf_counter()
    wait_idle(qtbot, tab, timeout=5000)
    assert time.perf_counter() - t0 < 1.0
    assert tab.last_run_outcome == "cancelled" and tab.result is None
    assert tab.run_button.isEnabled() and not tab.cancel_button.isEnabled()
    streamed = tab.stream.toPlainText()
    qtbot.wait(200)
    assert tab.stream.toPlainText() == streamed   # nothing arrives after the stop
    assert len(streamed) < len(LONG)


def test_ui_thread_keeps_ticking_while_generating(qtbot, app_font, denshi_docx):
    engine = FakeEngine(spec=instruct_spec(), reply=lambda p: LONG, delay=0.01)
    w = make_window(qtbot, engine)
    w.open_path(denshi_docx)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    tab = w.summary_tab
    growth: list[int] = []
    tab.stream.textChanged.connect(lambda: growth.append(len(tab.stream.toPlainText())))
    assert tab.run()
    qtbot.waitUntil(lambda: len(ticks) >= 10 and len(growth) >= 10, timeout=30000)
    assert tab.busy                             # still generating, yet the UI ticks and streams
    timer.stop()
    tab.cancel()
    wait_idle(qtbot, tab)
    assert len(set(growth)) >= 5                # output appeared piece by piece


def test_one_task_at_a_time(qtbot, app_font, denshi_docx):
    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=lambda p: LONG, delay=0.02))
    w.open_path(denshi_docx)
    assert w.summary_tab.run()
    assert not w.translate_tab.run()            # one model, one request at a time
    assert not w.open_path(denshi_docx)         # no document switch under a running task
    w.cancel_current()
    wait_idle(qtbot, w.summary_tab)
    assert w.translate_tab.run()
    w.cancel_current()
    wait_idle(qtbot, w.translate_tab)
