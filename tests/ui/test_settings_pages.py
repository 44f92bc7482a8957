"""設定 (issue 25 item 10): how the model runs (GPU層数, コンテキスト長, 同時に生成する数 …) is on
an advanced page, not among an official's settings, and a policy can lock that page; turning
校正でモデルも使う off in 設定 updates the open 校正 tab."""
from __future__ import annotations

from gennai_desktop.core.settings import Settings
from gennai_desktop.packs.policy import Policy
from gennai_desktop.ui import settings_dialog as sd
from gennai_desktop.ui.qt import QLabel, QWidget

MODEL_RUNNING = ("GPU層数", "コンテキスト長", "同時に生成する数")


def _labels(page: QWidget) -> list[str]:
    return [lb.text() for lb in page.findChildren(QLabel)]


def test_model_settings_are_on_the_advanced_page(qtbot, app_font, monkeypatch):
    monkeypatch.setattr(sd, "current_policy", lambda: Policy())
    dlg = sd.SettingsDialog(Settings())
    qtbot.addWidget(dlg)
    basic = dlg.findChild(QWidget, "basicPage")
    advanced = dlg.findChild(QWidget, "advancedPage")
    assert [dlg.pages.tabText(i) for i in range(dlg.pages.count())] == ["基本", "詳細設定（管理者向け）"]
    for title in MODEL_RUNNING:
        assert not any(title in t for t in _labels(basic)), title
        assert any(title in t for t in _labels(advanced)), title
    assert any("校正でモデルも使う" in t for t in _labels(basic))
    for name in ("n_gpu_layers", "n_ctx", "batch_size"):
        assert dlg.editors[name].isEnabled()
    assert "通常は変更する必要はありません" in dlg.advanced_note.text()


def test_policy_locks_the_advanced_page(qtbot, app_font, monkeypatch):
    monkeypatch.setattr(sd, "current_policy", lambda: Policy(lock_advanced_settings=True))
    dlg = sd.SettingsDialog(Settings())
    qtbot.addWidget(dlg)
    for name in sd.ADVANCED & set(dlg.editors):
        assert not dlg.editors[name].isEnabled(), name
    assert dlg.editors["proofread_use_model"].isEnabled()      # the basic page stays the user's
    assert "ポリシーで固定" in dlg.advanced_note.text()
    dlg.editors["proofread_use_model"].setChecked(False)
    dlg._accept()
    assert dlg.result_settings().n_ctx == Settings().n_ctx


def test_proofread_model_setting_updates_the_open_tab(window):
    tab = window.proofread_tab
    assert tab.use_model.isChecked()
    window.apply_settings(window.settings.model_copy(update={"proofread_use_model": False}))
    assert not tab.use_model.isChecked()
    window.apply_settings(window.settings.model_copy(update={"proofread_use_model": True}))
    assert tab.use_model.isChecked()
