"""The 要約・校正・起案 tabs on a base model: the model is not even opened, the extractive /
rule / template result comes at once with one notice; the setting forces the passes."""
from __future__ import annotations

import pytest

from gennai_desktop.core.i18n import tr
from gennai_desktop.core.settings import Settings
from tests.support.fake_engine import FakeEngine

from .conftest import make_window, wait_idle


def window_on_base_model(qtbot, settings: Settings | None = None):
    engine = FakeEngine(reply=lambda p: '{"findings": []}')          # FakeEngine's spec: a base model
    loads: list[int] = []
    w = make_window(qtbot, engine, settings)
    w.engine_provider._factory = lambda: loads.append(1) or engine
    return w, engine, loads


@pytest.mark.parametrize("tab_name,key", [("summary_tab", "summary.notice.model_skipped"),
                                          ("proofread_tab", "proofread.notice.model_skipped")])
def test_base_model_is_not_opened(qtbot, app_font, kenpo_docx, tab_name, key):
    w, engine, loads = window_on_base_model(qtbot)
    assert w.open_path(kenpo_docx)
    tab = getattr(w, tab_name)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    assert loads == [] and engine.prompts == []
    assert tab.notices.text().count(tr(key, model="fake")) == 1


def test_the_setting_forces_the_pass(qtbot, app_font, kenpo_docx):
    w, engine, loads = window_on_base_model(qtbot, Settings(base_model_passes=True))
    assert w.open_path(kenpo_docx)
    tab = w.proofread_tab
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "done", w.messages
    assert loads and engine.prompts and tab.result.used_model
