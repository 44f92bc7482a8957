"""One task through the whole UI on the real bundled model (Gemma 3 270M, CPU).

The base model's 要約 map phase is skipped by default (tasks.model_passes); the setting
base_model_passes forces it here so the model really runs through the UI."""
from __future__ import annotations

import pytest

from gennai_desktop.core.settings import Settings

from .conftest import wait_idle


@pytest.mark.bundled
def test_summary_on_bundled_model_through_the_ui(qtbot, app_font, ja_corpus, bundled_model_file):
    from gennai_desktop.app.models import ModelService
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    settings = Settings(n_ctx=2048, base_model_passes=True)
    w = MainWindow(settings, EngineProvider(settings), font_family="x", autosave=False)
    w.quit_chooser = lambda work: "discard"
    qtbot.addWidget(w)
    w.show()
    assert w.backend_label.text()                         # window is up before any model loads
    assert w.open_path(ja_corpus / "law_gyosei-kikan-kyujitsu_363AC0000000091.txt")
    tab = w.summary_tab
    tab.style_box.setCurrentIndex(tab.style_box.findData("three_lines"))
    assert tab.run()
    wait_idle(qtbot, tab, timeout=600000)
    assert tab.last_run_outcome == "done", w.messages
    assert tab.result.points and all(p.citations for p in tab.result.points)
    assert tab.result.text.strip()
    spec = ModelService(settings).active()
    assert spec.label("ja") in w.model_label.text()
    assert "CPU" in w.backend_label.text() or "CUDA" in w.backend_label.text()
