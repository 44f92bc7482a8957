"""The main window: document on the left, task tabs on the right, status bar below.

It owns the open Document, the one EngineProvider all tabs share, recent files,
drag and drop, shortcuts (Ctrl+O/S/Enter, Esc), autosave/recovery and error dialogs.
Everything slow happens in TaskWorker threads; this class only reacts to signals.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..core.document import Document
from ..core.events import Stats
from ..core.i18n import get_language, set_language, tr
from ..core.settings import Settings, load_settings, save_settings
from .autosave import AutosaveStore, Recoverable
from .document_view import DocumentView
from .engine_provider import EngineProvider, EngineReady
from .errors import show_error
from .ime import focus_is_composing
from .qt import (
    QAction, QApplication, QFileDialog, QKeySequence, QLabel, QMainWindow, QMessageBox,
    QSplitter, Qt, QTabWidget, QTimer,
)
from .tabs.base import TaskTab
from .tabs.draft_tab import DraftTab
from .tabs.proofread_tab import ProofreadTab
from .tabs.qa_tab import QaTab
from .tabs.summary_tab import SummaryTab
from .tabs.translate_tab import TranslateTab

SUFFIXES = (".docx", ".pdf", ".txt")
MAX_RECENT = 10


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, engine_provider: EngineProvider | None = None,
                 font_family: str | None = "", autosave: bool = True) -> None:
        super().__init__()
        self.settings = settings or load_settings()
        set_language(self.settings.language)
        self.engine_provider = engine_provider or EngineProvider(self.settings)
        self.document: Document | None = None
        self.autosave_store = AutosaveStore(self.settings.autosave_path())
        self.autosave_enabled = autosave
        self._dirty = False
        self.messages: list[str] = []        # what was shown to the user (tests read it)
        self.last_dialog: QMessageBox | None = None
        self.font_family = font_family
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self._build_ui()
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_timer.start(self.settings.autosave_interval_s * 1000)
        if font_family is None:
            QTimer.singleShot(0, lambda: self.show_message(tr("ui.warn.no_cjk_font")))

    # --- construction (also used to switch language) ---------------------------------
    def _build_ui(self) -> None:
        self.setWindowTitle(tr("ui.app.title"))
        self.document_view = DocumentView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("taskTabs")
        self.summary_tab = SummaryTab(self)
        self.proofread_tab = ProofreadTab(self)
        self.translate_tab = TranslateTab(self)
        self.draft_tab = DraftTab(self)
        self.qa_tab = QaTab(self)
        for tab in self.task_tabs:
            self.tabs.addTab(tab, tr(f"ui.tab.{tab.task_name}"))
            tab.busy_changed.connect(self._on_busy)
            tab.stats.connect(self._on_stats)
            tab.engine_ready.connect(self._on_engine_ready)
            tab.failed.connect(self.show_exception)
            tab.changed.connect(self.mark_dirty)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.document_view)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([600, 600])          # document and task area share the width
        self.setCentralWidget(splitter)
        if self.document is not None:
            self.document_view.set_document(self.document)
        self._build_menus()
        self._build_status()

    @property
    def task_tabs(self) -> list[TaskTab]:
        return [self.summary_tab, self.proofread_tab, self.translate_tab, self.draft_tab, self.qa_tab]

    def current_tab(self) -> TaskTab:
        return self.tabs.currentWidget()  # type: ignore[return-value]

    def _action(self, menu, key: str, slot: Callable, shortcut=None) -> QAction:
        act = QAction(tr(key), self)
        if shortcut is not None:
            act.setShortcuts(shortcut if isinstance(shortcut, list) else [shortcut])
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        m = bar.addMenu(tr("ui.menu.file"))
        self._action(m, "ui.action.open", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = m.addMenu(tr("ui.menu.recent"))
        self._fill_recent()
        self._action(m, "ui.action.save", self.save_current, QKeySequence.StandardKey.Save)
        self._action(m, "ui.action.copy", lambda: self.current_tab().copy_to_clipboard())
        m.addSeparator()
        self._action(m, "ui.action.quit", self.close, QKeySequence.StandardKey.Quit)
        m = bar.addMenu(tr("ui.menu.task"))
        self.run_action = self._action(m, "ui.action.run", self.run_current,
                                       [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.cancel_action = self._action(m, "ui.action.cancel", self.cancel_current, QKeySequence("Esc"))
        m = bar.addMenu(tr("ui.menu.settings"))
        self._action(m, "ui.action.settings", self.open_settings)
        self._action(m, "ui.action.models", self.open_models)
        m = bar.addMenu(tr("ui.menu.help"))
        self._action(m, "ui.action.about", self.about)

    def _build_status(self) -> None:
        sb = self.statusBar()
        for w in getattr(self, "_status_widgets", []):
            sb.removeWidget(w)
        self.model_label = QLabel()
        self.model_label.setObjectName("modelLabel")
        self.backend_label = QLabel(tr("ui.status.not_loaded"))
        self.backend_label.setObjectName("backendLabel")
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speedLabel")
        self._status_widgets = [self.model_label, self.backend_label, self.speed_label]
        for w in self._status_widgets:
            sb.addPermanentWidget(w)
        spec = self.engine_provider.active_spec()
        self.model_label.setText(tr("ui.status.model", name=spec.label(get_language())) if spec
                                 else tr("ui.status.no_model"))

    # --- documents ------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("ui.action.open"), "", tr("ui.open.filter"))
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        path = Path(path)
        if self.task_running():
            self.show_message(tr("ui.error.busy"))
            return False
        from ..documents import load_document
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            doc = load_document(path)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a dialog
            QApplication.restoreOverrideCursor()
            self.show_exception(exc)
            return False
        QApplication.restoreOverrideCursor()
        self.set_document(doc)
        self._remember(path)
        for key in doc.warnings:
            self.show_status(tr(key))
        return True

    def set_document(self, doc: Document) -> None:
        self.document = doc
        self.document_view.set_document(doc)
        name = doc.path.name if doc.path else (doc.title or "")
        self.setWindowTitle(f"{name} — {tr('ui.app.title')}" if name else tr("ui.app.title"))
        self.mark_dirty()

    def _remember(self, path: Path) -> None:
        p = str(path.resolve())
        recent = [p] + [r for r in self.settings.recent_files if r != p]
        self.settings.recent_files = recent[:MAX_RECENT]
        self._save_settings()
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for p in self.settings.recent_files:
            act = self.recent_menu.addAction(Path(p).name)
            act.setToolTip(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_path(p))
        self.recent_menu.setEnabled(bool(self.settings.recent_files))

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(u.toLocalFile().lower().endswith(SUFFIXES) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for u in event.mimeData().urls():
            if u.toLocalFile().lower().endswith(SUFFIXES):
                event.acceptProposedAction()
                self.open_path(u.toLocalFile())
                return

    # --- tasks -----------------------------------------------------------------------------
    def task_running(self) -> bool:
        return any(t.busy for t in self.task_tabs)

    def run_current(self) -> bool:
        if focus_is_composing():
            return False            # Ctrl+Enter during 変換 belongs to the IME
        return self.current_tab().run()

    def cancel_current(self) -> None:
        if focus_is_composing():
            return
        for t in self.task_tabs:
            t.cancel()

    def save_current(self) -> None:
        self.current_tab().save_dialog()

    def result_saved(self, tab: TaskTab) -> None:
        tab.saved_result = tab.result

    def _on_busy(self, busy: bool) -> None:
        """One model, one task: every tab's run button follows the window-wide state."""
        for t in self.task_tabs:
            t.run_button.setEnabled(not self.task_running())

    def _on_stats(self, st: Stats) -> None:
        self.speed_label.setText(tr("ui.status.speed", tps=f"{st.tokens_per_second:.1f}"))

    def _on_engine_ready(self, ev: EngineReady) -> None:
        b = ev.backend
        self.model_label.setText(tr("ui.status.model", name=ev.spec.label(get_language())))
        self.backend_label.setText(tr("ui.status.backend", backend=b.backend, layers=b.n_gpu_layers,
                                      total=b.n_layers, threads=b.n_threads))

    # --- messages ---------------------------------------------------------------------------
    def show_exception(self, exc: BaseException) -> None:
        from .errors import describe
        self.messages.append(describe(exc)[1])
        self.last_dialog = show_error(self, exc)

    def show_message(self, text: str) -> None:
        self.messages.append(text)
        box = QMessageBox(QMessageBox.Icon.Information, tr("ui.app.title"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.open()
        self.last_dialog = box

    def show_status(self, text: str) -> None:
        self.messages.append(text)
        self.statusBar().showMessage(text, 8000)

    def about(self) -> None:
        from .qt import QT_VERSION
        self.show_message(tr("ui.about", qt=QT_VERSION))

    # --- settings -------------------------------------------------------------------------
    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except Exception as exc:  # noqa: BLE001
            self.show_exception(exc)

    def open_settings(self) -> None:
        from .settings_dialog import SettingsDialog
        dlg = SettingsDialog(self.settings, self)
        dlg.accepted.connect(lambda: self.apply_settings(dlg.result_settings()))
        dlg.open()

    def open_models(self) -> None:
        from .models_panel import ModelsDialog
        dlg = ModelsDialog(self.settings, self)
        dlg.model_chosen.connect(self.choose_model)
        dlg.open()

    def choose_model(self, model_id: str) -> None:
        s = self.settings.model_copy(update={"active_model": model_id})
        self.apply_settings(s)

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        self.settings = new
        self.engine_provider.settings = new
        self._save_settings()
        self.autosave_store = AutosaveStore(new.autosave_path())
        self._autosave_timer.start(new.autosave_interval_s * 1000)
        if new.language != old.language and self.task_running():
            self.show_message(tr("ui.error.busy"))   # rebuilt when idle: next start / next change
        elif new.language != old.language:
            state = self.collect_state()
            set_language(new.language)
            from .app import install_qt_translations
            install_qt_translations(QApplication.instance(), new.language)
            self._build_ui()
            self.restore_state(state, reopen=False)
        else:
            self._build_status()

    # --- autosave / recovery ----------------------------------------------------------------
    def mark_dirty(self) -> None:
        self._dirty = True

    def collect_state(self) -> dict:
        return {"document": str(self.document.path) if self.document and self.document.path else None,
                "active_tab": self.tabs.currentIndex(),
                "tabs": {t.task_name: t.state() for t in self.task_tabs}}

    def has_content(self) -> bool:
        return self.draft_tab.has_user_input() or any(t.result is not None for t in self.task_tabs)

    def has_unsaved(self) -> bool:
        typed = self.draft_tab.has_user_input()
        unsaved = any(t.result is not None and getattr(t, "saved_result", None) is not t.result
                      for t in self.task_tabs)
        return typed or unsaved

    def autosave_now(self) -> bool:
        if not self.autosave_enabled or not self._dirty:
            return False
        self._dirty = False
        try:
            if self.has_content():
                self.autosave_store.save(self.collect_state())
            else:
                self.autosave_store.discard()
        except Exception as exc:  # noqa: BLE001 - autosave must never take the app down
            self.show_status(str(exc))
            return False
        return True

    def restore_state(self, state: dict, reopen: bool = True) -> None:
        doc_path = state.get("document")
        if reopen and doc_path and Path(doc_path).exists():
            self.open_path(doc_path)
        tabs = state.get("tabs") or {}
        for t in self.task_tabs:
            if t.task_name in tabs:
                t.restore_state(tabs[t.task_name])
        if isinstance(state.get("active_tab"), int):
            self.tabs.setCurrentIndex(state["active_tab"])
        self.mark_dirty()

    def check_recovery(self, ask: Callable[[Recoverable], bool] | None = None) -> bool:
        """Offer the newest autosave of a crashed session; older ones are kept for later."""
        found = self.autosave_store.recoverable()
        if not found:
            return False
        rec = found[0]
        ask = ask or self._ask_recovery
        if ask(rec):
            self.restore_state(rec.data)
            AutosaveStore.forget(rec)
            self.autosave_now()
            self.show_status(tr("ui.recovery.restored"))
            return True
        AutosaveStore.forget(rec)
        return False

    def _ask_recovery(self, rec: Recoverable) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, tr("ui.recovery.title"),
                          tr("ui.recovery.question"), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
        box.setDetailedText(rec.preview())
        box.setInformativeText(rec.preview(160))
        return box.exec() == QMessageBox.StandardButton.Yes

    def closeEvent(self, event) -> None:  # noqa: N802
        for t in self.task_tabs:
            t.cancel()
        if self.autosave_enabled:
            if self.has_unsaved():
                self._dirty = True
                self.autosave_now()     # kept: offered again at next start, nothing lost
            else:
                self.autosave_store.discard()
        self._autosave_timer.stop()
        super().closeEvent(event)
