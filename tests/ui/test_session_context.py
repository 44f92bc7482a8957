"""A UI session runs on one app.context.AppContext, as a CLI run does: opening a document and
running a task verify the signed metadata once, and the result is recorded through
app.recording with the context's model, audit log and store."""
from __future__ import annotations

from gennai_desktop.app.models import ModelService
from gennai_desktop.storage import open_store
from gennai_desktop.ui.app import effective_settings, session_context
from gennai_desktop.ui.main_window import MainWindow
from tests.app.test_context import _count_verifications, governed_laptop  # noqa: F401 - the fixture
from tests.support.fake_engine import FakeEngine

from .conftest import wait_idle


def _session_window(qtbot):
    """The window as ``ui.app.main`` builds it: one context, its store, the policy's settings."""
    ctx = session_context(open_store())
    w = MainWindow(effective_settings(ctx), font_family="test", autosave=False, store=ctx.store, ctx=ctx)
    w.quit_chooser = lambda work: "discard"
    qtbot.addWidget(w)
    w.show()
    return w


def test_one_ui_session_verifies_the_metadata_once(governed_laptop, monkeypatch, qtbot, app_font,  # noqa: F811
                                                   kenpo_docx):
    monkeypatch.setattr(ModelService, "open_engine", lambda self: FakeEngine())
    reads = _count_verifications(monkeypatch)
    w = _session_window(qtbot)
    assert w.open_path(kenpo_docx)
    assert w.summary_tab.run()
    wait_idle(qtbot, w.summary_tab)
    assert w.summary_tab.result is not None
    assert reads[0] == 1              # the status bar's model, the preflight, the audit line, retention, the engine
    (entry,) = w.store.list_results()
    assert (entry.task, entry.model_id, entry.origin) == ("summarize", "acme-tiny", "ui")
    audit = w.ctx.audit.path.read_text(encoding="utf-8")
    assert '"task":"summarize"' in audit.replace(" ", "") and "acme-tiny" in audit


def test_new_settings_keep_the_verified_view_and_a_pack_change_renews_it(governed_laptop, monkeypatch,  # noqa: F811
                                                                         qtbot, app_font):
    reads = _count_verifications(monkeypatch)
    w = _session_window(qtbot)
    assert w.engine_provider.active_spec().id == "acme-tiny" and reads[0] == 1
    before = w.ctx
    w.apply_settings(w.settings.model_copy(update={"autosave_interval_s": 120}))
    assert w.ctx is not before and w.engine_provider.ctx is w.ctx
    assert w.ctx.settings.autosave_interval_s == 120 and w.engine_provider.active_spec().id == "acme-tiny"
    assert reads[0] == 1              # the settings changed, the signed metadata did not
    dlg = w.open_settings()
    assert not dlg.editors["n_ctx"].isEnabled() and dlg.editors["n_threads"].isEnabled()   # the policy's lock
    dlg.reject()
    assert reads[0] == 1
    from gennai_desktop.ui.models_panel import ModelsDialog
    dlg = ModelsDialog(w.settings, w, ctx=w.ctx)
    dlg.context_renewed.connect(w.set_context)
    dlg.packs_changed()               # what the packs dialog's `changed` triggers
    assert w.ctx is dlg.ctx and w.engine_provider.ctx is w.ctx
    assert w.engine_provider.active_spec().id == "acme-tiny" and reads[0] == 2    # read again, once
