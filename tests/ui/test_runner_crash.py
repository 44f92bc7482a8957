"""The window survives a crash of the model runner, says so in Japanese, and the next task works."""
from __future__ import annotations

import os
import signal

from gennai_desktop.llm import protocol
from gennai_desktop.llm.runner import RunnerEngine

from .conftest import make_window, wait_idle


def test_runner_killed_during_a_summary_leaves_the_window_and_document(qtbot, app_font, tmp_path):
    from tests.support.tiny_gguf import make_tiny_gguf
    from gennai_desktop.llm.base import ModelSpec
    model = make_tiny_gguf(tmp_path / "tiny.gguf", context_length=2048)
    doc = tmp_path / "通知.txt"
    doc.write_text("第一条　この規則は、文書の管理について定める。\n第二条　職員は、文書を適切に保存する。\n"
                   "第三条　保存期間は、十年とする。\n", encoding="utf-8")
    killed: list[int] = []

    class KillingEngine(RunnerEngine):
        """Kills its runner (SIGSEGV) when the first streamed piece arrives — whether the task
        streams one generation or a batch of them."""

        def _recv(self, timeout=None, cancel=None):
            item = super()._recv(timeout=timeout, cancel=cancel)
            if not killed and isinstance(item, (protocol.Piece, protocol.SeqPiece)):
                killed.append(self.pid)
                os.kill(self.pid, signal.SIGSEGV)
            return item

    engine = KillingEngine(ModelSpec(id="tiny", path=model, name_ja="テスト", name_en="tiny", instruction_tuned=True),
                           n_threads=1, n_ctx=2048)
    try:
        w = make_window(qtbot, engine)
        assert w.open_path(doc)
        tab = w.summary_tab
        assert tab.run()
        wait_idle(qtbot, tab, timeout=120000)
        assert killed                                # the runner died in the middle of the task
        # the task ended with a message (or fell back to the model-free path); the app is alive
        assert w.isVisible() and w.document is not None and w.document.path == doc
        text = "\n".join(w.messages)
        assert tab.last_run_outcome in ("failed", "done")
        if tab.last_run_outcome == "failed":
            assert "異常終了" in text
        # the next task works on a new runner
        assert tab.run()
        wait_idle(qtbot, tab, timeout=120000)
        assert tab.last_run_outcome == "done", w.messages
        assert engine.pid not in killed
    finally:
        engine.close()


def test_doctor_page_in_the_app_shows_the_report(qtbot, app_font):
    w = make_window(qtbot)
    w.open_doctor()
    dlg = w.last_dialog
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60000)
    text = dlg.text.toPlainText()
    assert "CPU 版" in text and "現在のモデル" in text
    assert dlg.report["runtime"]["portable"]
    dlg.close()
