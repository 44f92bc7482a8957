"""Nothing slow on the UI thread: document loading, exports and streaming leave the event
loop running (a QTimer keeps ticking), results and errors arrive on the UI thread."""
from __future__ import annotations

import threading

import pytest

from gennai_desktop.core.events import TextDelta
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle


class Ticker:
    """Counts the ticks of a 10 ms QTimer: it only ticks while the UI thread is free."""

    def __init__(self) -> None:
        from gennai_desktop.ui.qt import QTimer
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks += 1

    def __enter__(self) -> "Ticker":
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def test_run_in_background_delivers_result_and_error_on_the_ui_thread(qtbot):
    from gennai_desktop.ui.ops import background_pool, run_in_background
    from gennai_desktop.ui.worker import task_pool
    assert background_pool() is not task_pool()            # never queues behind the model
    ui = threading.get_ident()
    seen: dict = {}

    def work(report):
        seen["worker"] = threading.get_ident()
        report(1)
        report(2)
        return "ok"

    progress: list = []
    op = run_in_background(work, on_success=lambda r: seen.update(result=r, cb=threading.get_ident()),
                           progress=lambda v: progress.append((v, threading.get_ident())))
    assert op.wait()
    assert seen["result"] == "ok" and seen["cb"] == ui and seen["worker"] != ui
    assert [v for v, _ in progress] == [1, 2] and all(t == ui for _, t in progress)

    def boom():
        raise ValueError("壊れた")

    errors: list = []
    op = run_in_background(boom, on_failure=lambda e: errors.append((e, threading.get_ident())))
    assert not op.wait()
    assert isinstance(op.error, ValueError) and errors[0][1] == ui and "壊れた" in op.traceback


def test_timer_ticks_while_the_largest_pdf_opens(qtbot, app_font, ja_corpus):
    pdf = max(ja_corpus.glob("*.pdf"), key=lambda p: p.stat().st_size)
    w = make_window(qtbot)
    done: list[bool] = []
    with Ticker() as t:
        op = w.open_path_async(pdf, on_done=done.append)
        assert op is not None and w.document is None        # returned at once, still loading
        assert w.open_path_async(pdf) is None               # one load at a time
        qtbot.waitUntil(lambda: bool(done), timeout=120000)
    assert done == [True], w.messages
    assert w.document is not None and w.document.path.name == pdf.name
    assert t.ticks >= 3, t.ticks                             # the UI thread was free meanwhile


def test_sync_open_path_keeps_the_event_loop_running(qtbot, app_font, ja_corpus):
    pdf = max(ja_corpus.glob("*.pdf"), key=lambda p: p.stat().st_size)
    w = make_window(qtbot)
    with Ticker() as t:
        assert w.open_path(pdf)
    assert w.document is not None and t.ticks >= 3, t.ticks


def test_open_failure_arrives_as_a_dialog(qtbot, app_font, tmp_path):
    bad = tmp_path / "壊れた.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    w = make_window(qtbot)
    assert not w.open_path(bad)
    assert w.document is None and w.last_dialog is not None and w.messages


@pytest.mark.parametrize("tokens", [3000])
def test_timer_ticks_and_inserts_are_coalesced_while_tokens_stream(qtbot, app_font, tokens):
    text = "あいう" * tokens                               # FakeEngine streams 3 characters a piece
    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=lambda p: text, delay=0.0005))
    tab = w.draft_tab
    w.tabs.setCurrentWidget(tab)
    for f in tab.template.fields:
        widget = tab.inputs[f.name]
        (widget.setPlainText if hasattr(widget, "setPlainText") else widget.setText)(f"{f.label_ja}の記入例")
    with Ticker() as t:
        assert tab.run()
        deltas: list = []
        tab.worker.signals.event.connect(lambda ev: deltas.append(ev) if isinstance(ev, TextDelta) else None)
        wait_idle(qtbot, tab)
    assert len(deltas) >= tokens * 0.9, len(deltas)
    assert t.ticks >= 5, t.ticks
    assert 1 <= tab.stream_inserts <= len(deltas) // 10, tab.stream_inserts   # one insert per ~50 ms


def test_export_runs_in_the_background_pool(qtbot, app_font, ja_corpus, tmp_path, monkeypatch):
    from gennai_desktop.ui import ops
    from gennai_desktop.ui.tabs import base as tabs_base
    w = make_window(qtbot)
    assert w.open_path(ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt")
    tab = w.summary_tab
    assert tab.run()
    wait_idle(qtbot, tab)
    started: list = []
    real = ops.run_in_background
    monkeypatch.setattr(tabs_base, "run_in_background",          # the name the tabs call
                        lambda fn, *a, **k: started.append(fn) or real(fn, *a, **k))
    ui = threading.get_ident()
    where: list = []
    real_save = tab.export_result
    monkeypatch.setattr(tab, "export_result", lambda target: where.append(threading.get_ident()) or real_save(target))
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target and started and where and where[0] != ui


def test_pack_operation_does_not_queue_behind_a_model_task(qtbot, app_font, tmp_path):
    from gennai_desktop.core.events import Done
    from gennai_desktop.core.settings import Settings
    from gennai_desktop.ui.packs_dialog import PacksDialog
    from gennai_desktop.ui.worker import TaskWorker
    release = threading.Event()

    def model_task(cancel):
        release.wait(60)                    # the one model thread is busy
        yield Done(None)

    busy = TaskWorker(model_task)
    busy.start()
    try:
        dlg = PacksDialog(Settings())
        qtbot.addWidget(dlg)
        assert dlg._start(lambda cancel: iter([Done("ok")]))
        qtbot.waitUntil(lambda: dlg.worker is None, timeout=20000)
        assert busy.running                 # it finished while the model task still ran
    finally:
        release.set()
        qtbot.waitUntil(lambda: not busy.running, timeout=20000)
