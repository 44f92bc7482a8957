"""The window survives a crash of the model runner, says so in Japanese, and the next task works."""
from __future__ import annotations

import os
import signal

from gennai_desktop.core.cancel import NEVER
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
        """Kills its runner (SIGSEGV) after the first streamed piece of the first generation."""

        def generate(self, prompt, params, cancel=NEVER):
            gen = super().generate(prompt, params, cancel)
            if killed:
                return gen
            outer = self

            class Wrapped:
                def __getattr__(self, name):
                    return getattr(gen, name)

                def __iter__(self):
                    for i, piece in enumerate(gen):
                        if i == 1 and not killed:
                            killed.append(outer.pid)
                            os.kill(outer.pid, signal.SIGSEGV)
                        yield piece
            return Wrapped()

    engine = KillingEngine(ModelSpec(id="tiny", path=model, name_ja="テスト", name_en="tiny"),
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
