"""Settings dialog generated from the schema, language switch, model panel, pack manager,
error dialogs (missing model, out of memory, degenerate output) and the excepthook."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from gennai_desktop.core.errors import DegenerateOutputError, ModelError
from gennai_desktop.core.i18n import tr
from gennai_desktop.core.settings import Settings, load_settings
from gennai_desktop.ui.qt import QCheckBox, QComboBox, QMessageBox, QSpinBox

from .conftest import make_window, wait_idle

REPO = Path(__file__).resolve().parents[2]


def test_settings_dialog_is_generated_from_the_model(window):
    from gennai_desktop.ui.settings_dialog import HIDDEN, SettingsDialog
    dlg = SettingsDialog(window.settings, window)
    assert set(dlg.editors) == set(Settings.model_fields) - HIDDEN
    assert isinstance(dlg.editors["n_gpu_layers"], QSpinBox)
    assert (dlg.editors["n_gpu_layers"].minimum(), dlg.editors["n_gpu_layers"].maximum()) == (-1, 999)
    assert isinstance(dlg.editors["language"], QComboBox)
    assert isinstance(dlg.editors["proofread_use_model"], QCheckBox)
    dlg.editors["n_ctx"].setValue(8192)
    dlg.editors["summary_style"].setCurrentIndex(dlg.editors["summary_style"].findData("report"))
    dlg._accept()
    new = dlg.result_settings()
    assert new.n_ctx == 8192 and new.summary_style == "report"
    window.apply_settings(new)
    assert load_settings().n_ctx == 8192                 # persisted
    assert window.engine_provider.settings.n_ctx == 8192


def test_locked_settings_are_disabled(window, monkeypatch):
    from gennai_desktop.ui import settings_dialog
    monkeypatch.setattr(settings_dialog, "locked_settings", lambda policy=None: {"n_ctx", "language"})
    dlg = settings_dialog.SettingsDialog(window.settings, window)
    assert not dlg.editors["n_ctx"].isEnabled() and not dlg.editors["language"].isEnabled()
    assert dlg.editors["n_threads"].isEnabled()
    assert "n_ctx" not in dlg.values()


def test_locked_settings_come_from_the_packs_policy():
    from gennai_desktop.packs.policy import current_policy
    from gennai_desktop.ui.settings_dialog import locked_settings
    assert locked_settings() == set(current_policy().locked_settings)


def test_switch_to_english_keeps_work(qtbot, window, kenpo_docx):
    window.open_path(kenpo_docx)
    field = next(iter(window.draft_tab.inputs.values()))
    field.setText("保持される入力")
    window.apply_settings(window.settings.model_copy(update={"language": "en"}))
    try:
        assert window.tabs.tabText(0) == "Summary"
        assert window.menuBar().actions()[0].text() == "&File"
        assert window.document is not None and window.document_view.text.toPlainText()
        assert "保持される入力" in window.draft_tab.field_values().values()
    finally:
        window.apply_settings(window.settings.model_copy(update={"language": "ja"}))
    assert window.tabs.tabText(0) == "要約"


def test_models_panel_lists_bundled_default_with_label(window):
    from gennai_desktop.ui.models_panel import ModelsDialog
    dlg = ModelsDialog(window.settings, window)
    assert dlg.specs, "the registry always offers the bundled default"
    names = [dlg.table.item(r, 0).text() for r in range(dlg.table.rowCount())]
    dev = [s for s in dlg.specs if s.dev_default]
    assert dev and any("開発用の既定モデル・国産ではありません" in n for n in names)
    chosen: list[str] = []
    dlg.model_chosen.connect(chosen.append)
    assert dlg.select(dev[0].id)
    dlg._use()
    assert chosen == [dev[0].id]


def test_pack_manager_lists_packs_and_reports_errors(qtbot, window, tmp_path):
    from gennai_desktop.ui.packs_dialog import PacksDialog
    dlg = PacksDialog(window.settings, window)
    assert dlg.table.rowCount() == len(dlg.rows) >= 1
    assert any(r.status == "bundled" for r in dlg.rows)
    assert dlg.update_from_folder(str(tmp_path))           # an empty folder is not a bundle
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=30000)
    from gennai_desktop.packs.errors import PackError
    assert isinstance(dlg.last_error, PackError), repr(dlg.last_error)
    assert dlg.status.text() == str(dlg.last_error)
    assert re.search(r"[\u3040-\u30ff]", dlg.status.text())


def test_status_bar_shows_dev_default_label(qtbot, app_font):
    from gennai_desktop.app.models import ModelService
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    s = Settings()
    w = MainWindow(s, EngineProvider(s), font_family="x", autosave=False)   # no model loaded yet
    qtbot.addWidget(w)
    spec = ModelService(s).active()
    assert spec.label("ja") in w.model_label.text()
    assert w.backend_label.text() == tr("ui.status.not_loaded")


def _run_failing(qtbot, exc):
    def boom():
        raise exc
    w = make_window(qtbot)
    w.engine_provider._factory = boom
    w.draft_tab.inputs  # noqa: B018
    w.open_path(next((REPO.parent / "shared" / "corpus" / "ja").glob("*.txt")))
    assert w.summary_tab.run()
    wait_idle(qtbot, w.summary_tab)
    assert w.summary_tab.last_run_outcome == "failed"
    box = w.last_dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    return w, box


def test_missing_model_dialog(qtbot, app_font):
    w, box = _run_failing(qtbot, ModelError("llm.error.model_missing", path="/なし/model.gguf"))
    assert box.windowTitle() == tr("ui.error.title.model")
    assert "/なし/model.gguf" in box.text() or box.text() == tr("llm.error.model_missing", path="/なし/model.gguf")
    assert w.summary_tab.run_button.isEnabled()            # app stays usable


def test_out_of_memory_dialog(qtbot, app_font):
    w, box = _run_failing(qtbot, MemoryError())
    assert box.text() == tr("ui.error.oom") and "メモリ" in box.text()


def test_degenerate_output_dialog(qtbot, app_font):
    w, box = _run_failing(qtbot, DegenerateOutputError("ui.error.title.degenerate"))
    assert box.windowTitle() == tr("ui.error.title.degenerate")


def test_excepthook_shows_dialog_instead_of_dying(qtbot, window, monkeypatch):
    from gennai_desktop.ui.errors import install_excepthook
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook(lambda: window)
    msg = "テスト用の" + "予期しないエラー"        # built at run time: not in the traceback's source line
    try:
        raise ValueError(msg)
    except ValueError:
        sys.excepthook(*sys.exc_info())
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog" and b.isVisible()]
    assert boxes and "テスト用の予期しないエラー" in boxes[-1].text()
    log = Path(load_settings().autosave_path()).parent / "logs" / "ui-errors.log"
    assert log.exists()
    text = log.read_text(encoding="utf-8")
    assert "ValueError" in text and msg not in text     # no message text: messages may quote documents


def test_every_ui_message_key_exists_in_both_languages():
    data: dict[str, dict] = {"ja": {}, "en": {}}
    for f in sorted((REPO / "resources" / "i18n").glob("*.json")):   # ui.json, ui_firsthour.json, runtime.json, structure.json …
        part = json.loads(f.read_text(encoding="utf-8"))
        assert set(part["ja"]) == set(part["en"]), f.name
        for lang in data:
            data[lang].update(part[lang])
    used = set()
    for p in (REPO / "gennai_desktop" / "ui").rglob("*.py"):
        used |= set(re.findall(r'tr\("(ui\.[a-z0-9_.\-]+)"', p.read_text(encoding="utf-8")))
    assert used and used <= set(data["ja"]), used - set(data["ja"])
