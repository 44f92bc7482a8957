"""The main window: document on the left, task tabs on the right, status bar below.

It owns the open Document, the one EngineProvider all tabs share, recent files,
drag and drop, shortcuts (Ctrl+O/S/Enter, Esc), autosave/recovery and error dialogs.
Model work runs in TaskWorker threads (ui/worker.py), document loading and exports in
ui/ops.py's background pool; this class only reacts to their signals.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..app import recording
from ..app.context import AppContext
from ..core.cancel import Cancelled, CancelToken, cancel_scope
from ..core.document import Document, DocumentKey
from ..core.errors import GennaiError
from ..core.events import Stats
from ..core.i18n import get_language, set_language, tr
from ..core.paths import resources_dir
from ..core.settings import Settings, load_settings, save_settings
from ..documents import load_document
from ..ocr.runner import ocr_context
from ..storage import StoreUnavailable, open_store
from ..storage.history import QA_TASKS, task_label
from .autosave import AutosaveStore, Recoverable
from .doc_sessions import DocSession, find_session
from .doctor_dialog import DoctorDialog
from .document_view import DocumentView
from .engine_provider import EngineProvider, EngineReady
from .errors import describe, show_error
from .file_dialogs import FolderMemory, ask_open, open_filter
from .history_dialog import HistoryDialog
from .history_reopen import find_source, show_read_only, state_from_payload
from .ime import focus_is_composing
from .kept_ocr import document_from_snapshot, ocr_snapshot
from .models_panel import ModelsDialog
from .ops import FinishedOp, run_in_background
from .progress_clock import ProgressClock
from .qt import (
    QT_VERSION,
    QAction,
    QApplication,
    QDialog,
    QGuiApplication,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    Qt,
    QTabBar,
    QTabWidget,
    QTextBrowser,
    QTimer,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from .settings_dialog import SettingsDialog
from .tabs.base import TaskTab
from .tabs.draft_tab import DraftTab
from .tabs.minutes_tab import MinutesTab
from .tabs.proofread_tab import ProofreadTab
from .tabs.qa_tab import QaTab
from .tabs.summary_tab import SummaryTab
from .tabs.translate_tab import TranslateTab
from .translations import install_qt_translations

SUFFIXES = (".docx", ".pdf", ".txt")
MAX_RECENT = 10
OPEN_STORE = object()          # MainWindow(store=…) default: open the encrypted store here


def open_store_quietly():
    """(store, "") or (None, why) — the window never prompts; app.main does that first."""
    try:
        return open_store(), ""
    except StoreUnavailable as exc:
        return None, exc.message()
DEFAULT_SIZE = (1280, 800)         # wanted; never more than the screen's available area
TEXT_SIZE_RANGE = (8.0, 32.0)
TEXT_SIZE_STEP = 1.0


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, engine_provider: EngineProvider | None = None,
                 font_family: str | None = "", autosave: bool = True, store=OPEN_STORE,
                 store_reason: str = "", ctx: AppContext | None = None) -> None:
        super().__init__()
        if settings is None:
            settings = ctx.user_settings if ctx is not None else load_settings()
        self.settings = settings
        set_language(self.settings.language)
        self.engine_provider = engine_provider or EngineProvider(self.settings)
        self.document: Document | None = None
        self.sessions: list[DocSession] = []     # open documents, each with its tabs' results
        self.active_session: DocSession | None = None
        self.loading = None                 # the ops.Op opening a document, while it runs
        self.load_clock: ProgressClock | None = None   # pages OCR'd, elapsed, time left, while opening
        self.loading_cancel = None          # its CancelToken (OCR stops between pages)
        if store is OPEN_STORE:
            store, store_reason = open_store_quietly()
        self.store = store                  # storage.ProtectedStore, or None (history/autosave off)
        self.store_reason = store_reason
        # the session's one context (app.main builds it): trust verified once, results recorded
        # through it; the window renews it when the settings or packs change what it derived
        self.ctx = ctx if ctx is not None else AppContext(self.settings, store=store)
        self.ctx.store = store
        self.ctx.warn = self.show_status
        self.engine_provider.ctx = self.ctx
        self.autosave_store = AutosaveStore(store, keep_days=self.settings.recovery_keep_days,
                                            legacy_folder=self.settings.autosave_path())
        self._recent_mem: list[str] = [] if store is not None else list(self.settings.recent_files)
        self.folders = FolderMemory(self.recent_files)    # where the next file dialog starts
        self._migrate_recent()
        self.document_key: DocumentKey | None = None   # results are bound to this
        self._doc_version = 0
        self.autosave_enabled = autosave
        self.quit_chooser: Callable[[list[str]], str] | None = None   # tests/scripts: "keep"/"discard"/"cancel"
        self._dirty = False
        self.messages: list[str] = []        # what was shown to the user (tests read it)
        self.last_dialog: QMessageBox | None = None
        self.font_family = font_family
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self._base_point_size = self.font().pointSizeF() if self.font().pointSizeF() > 0 else 10.0
        self.fit_to_screen()
        self._build_ui()
        self._apply_text_size()
        self._autosave_timer = QTimer(self)
        self._autosave_timer.timeout.connect(self.autosave_now)
        self._autosave_timer.start(self.settings.autosave_interval_s * 1000)
        if font_family is None:
            QTimer.singleShot(0, lambda: self.show_message(tr("ui.warn.no_cjk_font")))
        if store is None:
            QTimer.singleShot(0, lambda: self.show_message(tr("storage.notice.store_off", reason=store_reason)))

    def fit_to_screen(self, screen=None) -> None:
        """1280×800 where it fits; otherwise 90 % of the screen's available area (task bar
        excluded), centred — a 1366×768 laptop or a 125 % scaled display gets a window
        whose title bar and status bar are on screen."""
        screen = screen or self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(*DEFAULT_SIZE)
            return
        avail = screen.availableGeometry()
        w = min(DEFAULT_SIZE[0], int(avail.width() * 0.9))
        h = min(DEFAULT_SIZE[1], int(avail.height() * 0.9))
        self.resize(w, h)
        self.move(avail.x() + (avail.width() - w) // 2, avail.y() + (avail.height() - h) // 2)

    # --- text size (Ctrl++ / Ctrl+-, persisted) -----------------------------------------
    def text_size(self) -> float:
        return self.settings.text_size_pt or self._base_point_size

    def change_text_size(self, delta: float) -> float:
        lo, hi = TEXT_SIZE_RANGE
        size = max(lo, min(hi, self.text_size() + delta))
        self.settings = self.settings.model_copy(update={"text_size_pt": size})
        self.engine_provider.settings = self.settings
        self.set_context(self.ctx.with_settings(self.settings))
        self._save_settings()
        self._apply_text_size()
        self.show_status(tr("ui.text_size.now", size=f"{size:g}"))
        return size

    def reset_text_size(self) -> None:
        self.settings = self.settings.model_copy(update={"text_size_pt": 0.0})
        self.engine_provider.settings = self.settings
        self.set_context(self.ctx.with_settings(self.settings))
        self._save_settings()
        self._apply_text_size()

    def _apply_text_size(self) -> None:
        f = self.font()
        f.setPointSizeF(self.text_size())
        self.setFont(f)                     # inherited by every child widget
        self.document_view.setFont(f)
        if self.document is not None:      # the text view sizes its headings from the base size
            self.document_view.set_document(self.document)

    # --- help (F1): a local page, nothing is fetched ------------------------------------
    def open_help(self) -> None:
        lang = get_language()
        page = resources_dir() / "help" / f"help_{lang}.html"
        if not page.exists():
            page = resources_dir() / "help" / "help_ja.html"
        dlg = QDialog(self)
        dlg.setObjectName("helpDialog")
        dlg.setWindowTitle(tr("ui.help.title"))
        lay = QVBoxLayout(dlg)
        view = QTextBrowser(dlg)
        view.setObjectName("helpBrowser")
        view.setAccessibleName(tr("ui.help.title"))
        view.setOpenExternalLinks(False)    # offline: no browser, no network
        view.setSource(QUrl.fromLocalFile(str(page)))
        lay.addWidget(view)
        dlg.resize(min(720, self.width()), min(640, self.height()))
        dlg.open()
        self.help_dialog = dlg

    def switch_tab(self, step: int) -> None:
        n = self.tabs.count()
        if n:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % n)

    # --- construction (also used to switch language) ---------------------------------
    def _build_ui(self) -> None:
        self.document_view = DocumentView(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("taskTabs")
        self.tabs.setAccessibleName(tr("ui.a11y.tabs"))
        self.document_view.setAccessibleName(tr("ui.a11y.document"))
        self.summary_tab = SummaryTab(self)
        self.proofread_tab = ProofreadTab(self)
        self.translate_tab = TranslateTab(self)
        self.draft_tab = DraftTab(self)
        self.qa_tab = QaTab(self)
        self.minutes_tab = MinutesTab(self)
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
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.document_bar = self._make_document_bar(central)
        lay.addWidget(self.document_bar)
        lay.addWidget(splitter, 1)
        self.setCentralWidget(central)
        if self.document is not None:
            self.document_view.set_document(self.document)
        self._update_title()
        self._build_menus()
        self._build_status()

    @property
    def task_tabs(self) -> list[TaskTab]:
        return [self.summary_tab, self.proofread_tab, self.translate_tab, self.draft_tab, self.qa_tab, self.minutes_tab]

    def current_tab(self) -> TaskTab:
        return self.tabs.currentWidget()  # type: ignore[return-value]  # the tab widget holds only TaskTabs

    def _action(self, menu, key: str, slot: Callable, shortcut=None) -> QAction:
        act = QAction(tr(key), self)
        act.setObjectName(key)
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
        self._action(m, "storage.ui.history", self.open_history, QKeySequence("Ctrl+H"))
        self._action(m, "ui.action.copy", lambda: self.current_tab().copy_to_clipboard())
        m.addSeparator()
        self._action(m, "ui.action.quit", self.close, QKeySequence.StandardKey.Quit)
        m = bar.addMenu(tr("ui.menu.task"))
        self.run_action = self._action(m, "ui.action.run", self.run_current,
                                       [QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.cancel_action = self._action(m, "ui.action.cancel", self.cancel_current, QKeySequence("Esc"))
        m.addSeparator()
        self._action(m, "ui.action.next_tab", lambda: self.switch_tab(1),
                     [QKeySequence("Ctrl+Tab"), QKeySequence("Ctrl+PgDown")])
        self._action(m, "ui.action.prev_tab", lambda: self.switch_tab(-1),
                     [QKeySequence("Ctrl+Shift+Tab"), QKeySequence("Ctrl+Backtab"), QKeySequence("Ctrl+PgUp")])
        m = bar.addMenu(tr("ui.menu.view"))
        self._action(m, "ui.action.zoom_in", lambda: self.change_text_size(TEXT_SIZE_STEP),
                     [QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        self._action(m, "ui.action.zoom_out", lambda: self.change_text_size(-TEXT_SIZE_STEP),
                     [QKeySequence("Ctrl+-")])
        self._action(m, "ui.action.zoom_reset", self.reset_text_size, QKeySequence("Ctrl+0"))
        m = bar.addMenu(tr("ui.menu.settings"))
        self._action(m, "ui.action.settings", self.open_settings)
        self._action(m, "ui.action.models", self.open_models)
        m = bar.addMenu(tr("ui.menu.help"))
        self._action(m, "ui.action.doctor", self.open_doctor)
        self._action(m, "ui.action.help", self.open_help, QKeySequence("F1"))
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
        path = ask_open(self, tr("ui.action.open"), open_filter(), self.folders)
        if path:
            self.open_path_async(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a document and return whether it opened. The parse runs in the background
        pool (a PDF's sandboxed child may take up to 90 s); the event loop keeps running
        meanwhile, so the window repaints and timers tick."""
        op = self.open_path_async(path)
        return op.wait() if op is not None else False

    def open_path_async(self, path: str | Path, on_done: Callable[[bool], None] | None = None):
        """Start opening ``path`` off the UI thread; returns the ops.Op (None when refused).
        Menu, recent files and drag-and-drop use this and never block."""
        path = Path(path)
        if self.task_running() or self.loading is not None:
            self.show_message(tr("ui.error.busy"))
            return None
        i = find_session(self.sessions, path)
        if i >= 0:                  # already open: switch to it, its results as they were
            ok = self.switch_document(i)
            if on_done is not None:
                on_done(ok)
            return FinishedOp(ok)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.show_status(tr("ui.open.loading", name=path.name))
        self.loading_cancel = token = CancelToken()    # Esc stops a long OCR between pages

        def load(report):  # background thread: scanned pages are OCR'd here, page by page
            with ocr_context(progress=lambda done, total: report((done, total)), cancel=token), \
                    cancel_scope(token):             # the PDF reader child stops on Esc too
                return load_document(path)

        # the status line stays (no 8-second timeout) and is rewritten every second with the
        # elapsed time and, after two pages, the time left: an OCR page may take a minute
        clock = self.load_clock = ProgressClock()

        def tick() -> None:
            if clock.total:
                line = tr("ui.open.ocr_progress", name=path.name, done=clock.done, total=clock.total)
            else:
                line = tr("ui.open.loading", name=path.name)
            self.statusBar().showMessage(f"{line}　{clock.text()}")

        timer = QTimer(self)
        timer.setInterval(1000)
        timer.timeout.connect(tick)
        timer.start()

        def progress(value) -> None:
            done, total = value
            clock.update(done, total, "", "ui.clock.unit.page")
            self.messages.append(tr("ui.open.ocr_progress", name=path.name, done=done, total=total))
            tick()

        def loaded(doc: Document) -> None:
            timer.stop()
            self.loading = self.loading_cancel = None
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()      # "…を読み込んでいます" is over
            self.open_document(doc)
            self._remember(path)
            ocr_pages = sorted({b.page for b in doc.blocks if getattr(b, "ocr", False) and b.page})
            if ocr_pages:   # say which pages are machine-read; the 本文 tab shows the result
                self.show_status(tr("ui.open.ocr_done", pages="、".join(map(str, ocr_pages))))
            for key in doc.warnings:
                self.show_status(tr(key))
            if on_done is not None:
                on_done(True)

        def failed(exc: BaseException) -> None:  # every failure becomes a dialog
            timer.stop()
            self.loading = self.loading_cancel = None
            QApplication.restoreOverrideCursor()
            self.statusBar().clearMessage()
            if isinstance(exc, Cancelled):
                self.show_status(tr("ui.open.cancelled", name=path.name))
            else:
                self.show_exception(exc)
            if on_done is not None:
                on_done(False)

        self.loading = run_in_background(load, loaded, failed, progress=progress)
        return self.loading

    # --- open documents: each keeps its own results ------------------------------------------
    def _make_document_bar(self, parent) -> QTabBar:
        bar = QTabBar(parent)
        bar.setObjectName("documentBar")
        bar.setAccessibleName(tr("ui.docs.bar"))
        bar.setTabsClosable(True)
        bar.setExpanding(False)
        bar.setDocumentMode(True)
        bar.setElideMode(Qt.TextElideMode.ElideMiddle)
        for s in self.sessions:
            bar.addTab(s.name)
            bar.setTabToolTip(bar.count() - 1, s.path or s.name)
        if self.active_session is not None:
            bar.setCurrentIndex(self.sessions.index(self.active_session))
        bar.setVisible(bool(self.sessions))
        bar.currentChanged.connect(self._on_document_bar)
        bar.tabCloseRequested.connect(lambda i: self.close_document(i))
        return bar

    def _on_document_bar(self, index: int) -> None:
        if getattr(self, "_bar_updating", False) or not (0 <= index < len(self.sessions)):
            return
        if self.sessions[index] is not self.active_session and not self.switch_document(index):
            self._select_bar(self.active_session)

    def _select_bar(self, session: DocSession | None) -> None:
        self._bar_updating = True
        try:
            if session is not None and session in self.sessions:
                self.document_bar.setCurrentIndex(self.sessions.index(session))
            self.document_bar.setVisible(bool(self.sessions))
        finally:
            self._bar_updating = False

    def set_document(self, doc: Document) -> None:
        """Kept for callers that hand over a Document: the same as opening it."""
        self.open_document(doc)

    def open_document(self, doc: Document) -> None:
        """A newly read document becomes the active one; the current one keeps its results."""
        self._doc_version += 1
        key = DocumentKey.of(doc, self._doc_version)
        i = find_session(self.sessions, doc.path, key)
        if i >= 0:                                   # the same text again: nothing to redo
            self.switch_document(i)
            return
        self._stash_active()
        session = DocSession(doc, key)
        old = find_session(self.sessions, doc.path)  # the file changed on disk since it was opened
        if old >= 0 and not self.sessions[old].has_results():
            self.sessions[old] = session             # nothing to keep from the old text
            self._bar_updating = True
            self.document_bar.setTabText(old, session.name)
            self._bar_updating = False
        else:
            if old >= 0:                             # its results stay with the old text, labelled
                self.document_bar.setTabText(old, tr("ui.docs.older", name=self.sessions[old].name))
            self.sessions.append(session)
            self._bar_updating = True
            self.document_bar.addTab(session.name)
            self.document_bar.setTabToolTip(self.document_bar.count() - 1, session.path or session.name)
            self._bar_updating = False
        self._activate(session)

    def switch_document(self, index: int) -> bool:
        """Show another open document with its own results; refused while a task runs
        (its result belongs to the document it was started on)."""
        if not (0 <= index < len(self.sessions)):
            return False
        session = self.sessions[index]
        if session is self.active_session:
            return True
        if self.task_running():
            self.show_message(tr("ui.error.busy"))
            return False
        self._stash_active()
        self._activate(session)
        return True

    def _stash_active(self) -> None:
        """Put the active document's tab states away in its session."""
        s = self.active_session
        if s is None:
            return
        s.tabs = {t.task_name: self._tab_snapshot(t) for t in self.task_tabs if t.bound_to_document}

    @staticmethod
    def _tab_snapshot(tab: TaskTab) -> dict:
        return {**tab.state(), "_has_result": tab.result is not None, "_saved": not tab.has_unsaved_result()}

    @staticmethod
    def _restore_tab(tab: TaskTab, state: dict) -> None:
        tab.restore_state(state)
        tab.mark_saved(bool(state.get("_saved")) and tab.result is not None)

    def _activate(self, session: DocSession | None) -> None:
        self.active_session = session
        self.document = session.document if session is not None else None
        self.document_key = session.key if session is not None else None
        for t in self.task_tabs:
            if not t.bound_to_document:
                continue
            t.document_changed(self.document_key)      # results of another document leave the view
            state = session.tabs.get(t.task_name) if session is not None else None
            if state is not None:
                self._restore_tab(t, state)
        if session is not None:
            self.document_view.set_document(session.document)
        else:
            self.document_view.clear_document()
        self._select_bar(session)
        self._update_title()
        self.mark_dirty()

    def close_document(self, index: int, confirm: Callable[[DocSession, list[str]], bool] | None = None) -> bool:
        """Close an open document; unsaved results or decisions are named and confirmed first."""
        if not (0 <= index < len(self.sessions)):
            return False
        session = self.sessions[index]
        if session is self.active_session:
            if self.task_running():
                self.show_message(tr("ui.error.busy"))
                return False
            self._stash_active()
        unsaved = session.unsaved_tabs()
        if unsaved:
            ask = confirm or self._confirm_close_document
            if not ask(session, unsaved):
                return False
        was_active = session is self.active_session
        del self.sessions[index]
        self._bar_updating = True
        self.document_bar.removeTab(index)
        self._bar_updating = False
        if was_active:
            self.active_session = None
            self._activate(self.sessions[min(index, len(self.sessions) - 1)] if self.sessions else None)
        else:
            self._select_bar(self.active_session)
        self.show_status(tr("ui.docs.closed", name=session.name))
        return True

    def _confirm_close_document(self, session: DocSession, unsaved: list[str]) -> bool:
        tabs = "、".join(tr(f"ui.tab.{n}") for n in unsaved)
        box = QMessageBox(QMessageBox.Icon.Warning, tr("ui.docs.close_title"),
                          tr("ui.docs.close_question", name=session.name, tabs=tabs),
                          QMessageBox.StandardButton.NoButton, self)
        close = box.addButton(tr("ui.docs.close_discard"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(tr("ui.cancel_button"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is close

    # Recent-file paths name documents, so they live in the encrypted store, not settings.json;
    # without a store they are kept for this run only.
    def recent_files(self) -> list[str]:
        if self.store is not None:
            try:
                return self.store.recent()[:MAX_RECENT]
            except Exception:  # noqa: BLE001 - an unreadable store: no recent files, the app goes on
                return []
        return list(self._recent_mem)

    def _migrate_recent(self) -> None:
        """Earlier versions kept recent paths in settings.json: move them into the store."""
        if self.store is None or not self.settings.recent_files:
            return
        try:
            for p in reversed(self.settings.recent_files):
                self.store.add_recent(p, keep=MAX_RECENT)
            self.settings.recent_files = []
            save_settings(self.settings)
        except Exception:  # noqa: BLE001 - the old list simply stays where it was
            pass
    def _update_title(self) -> None:
        """「文書名 — 源内デスクトップ」; rebuilt after a language switch too."""
        doc = self.document
        name = (doc.path.name if doc.path else (doc.title or "")) if doc is not None else ""
        self.setWindowTitle(f"{name} — {tr('ui.app.title')}" if name else tr("ui.app.title"))

    def _remember(self, path: Path) -> None:
        p = str(path.resolve())
        self.folders.used(p)
        if self.store is not None:
            try:
                self.store.add_recent(p, keep=MAX_RECENT)
            except Exception as exc:  # noqa: BLE001 - told in the status bar; the document is open
                self.show_status(str(exc))
        else:
            self._recent_mem = ([p] + [r for r in self._recent_mem if r != p])[:MAX_RECENT]
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for p in recent:
            act = self.recent_menu.addAction(Path(p).name)
            act.setToolTip(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_path_async(p))
        self.recent_menu.setEnabled(bool(recent))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's virtual method name
        if any(u.toLocalFile().lower().endswith(SUFFIXES) for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's virtual method name
        for u in event.mimeData().urls():
            if u.toLocalFile().lower().endswith(SUFFIXES):
                event.acceptProposedAction()
                self.open_path_async(u.toLocalFile())
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
        if getattr(self, "loading_cancel", None) is not None:
            self.loading_cancel.cancel()       # a document still opening (OCR of a scan)
        for t in self.task_tabs:
            t.cancel()

    def save_current(self) -> None:
        self.current_tab().save_dialog()

    def result_saved(self, tab: TaskTab) -> None:
        tab.mark_saved()

    # --- result history (encrypted store) and audit ----------------------------------------
    TASK_IDS = {"summary": "summarize", "qa": "ask"}          # tab name → storage/audit task id

    def record_result(self, tab: TaskTab, result, outcome: str) -> int | None:
        doc = self.document
        file = str(doc.path) if doc is not None and doc.path and tab.needs_document() else None
        if tab.task_name == "qa" and not getattr(tab, "folder", None) and doc is not None and doc.path:
            file = str(doc.path)                      # a question about the open document
        extra = {"ui_state": tab.state()}
        if file:
            extra["source_path"] = str(Path(file).resolve())   # to reopen it from 履歴 (encrypted)
        return recording.record(self.ctx, self.TASK_IDS.get(tab.task_name, tab.task_name),
                                result if self.store is not None else None,     # no store: audit only
                                outcome=outcome, file=file, model=self.engine_provider.active_spec(),
                                origin="ui", extra=extra)

    def set_context(self, ctx: AppContext) -> None:
        """The session's context after settings or packs changed; the provider follows."""
        self.ctx = ctx
        self.engine_provider.ctx = ctx

    def open_history(self):
        if self.store is None:
            self.show_message(tr("storage.ui.unavailable", reason=self.store_reason))
            return None
        dlg = HistoryDialog(self.store, self, ctx=self.ctx)
        dlg.reopen_requested.connect(self.reopen_result)
        dlg.open()
        self.last_history_dialog = dlg
        return dlg

    def _tab_for_task(self, task: str) -> TaskTab | None:
        names = {v: k for k, v in self.TASK_IDS.items()}
        name = names.get(task, "qa" if task in QA_TASKS else task)
        return next((t for t in self.task_tabs if t.task_name == name), None)

    def reopen_result(self, entry) -> bool:
        """Show a history entry with its document: the source is opened (or switched to) when
        it is still there with the same content, and the result goes into its tab; otherwise
        the result is shown read-only with its citations, and the window says why."""
        tab = self._tab_for_task(entry.task)
        if tab is None:
            return False
        if self.task_running() or self.loading is not None:
            self.show_message(tr("ui.error.busy"))
            return False
        state = dict(entry.payload.get("ui_state") or state_from_payload(entry))
        about_document = bool(entry.source_name) and tab.task_name != "draft" and not state.get("folder")
        if about_document:
            path, why = find_source(entry, self.recent_files())
            if path is None or not self.open_path(path):
                self.last_history_view = show_read_only(self, entry, why or "missing")
                self.show_status(tr(f"storage.ui.reopened_readonly.{why or 'missing'}", name=entry.source_name))
                return True
            # the stored file and this one have the same bytes: the result's offsets hold here
            state["document"] = self.document_key.to_dict() if self.document_key else None
        tab.restore_state(state)
        tab.mark_saved(True)                # it is kept in the history: closing loses nothing
        self.tabs.setCurrentWidget(tab)
        self.show_status(tr("storage.ui.reopened_with", task=task_label(entry.task),
                            name=entry.source_name or entry.title or "—") if about_document
                         else tr("storage.ui.reopened"))
        self.mark_dirty()
        return True

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
        variant = getattr(b, "cpu_variant", "")
        self.backend_label.setToolTip(f"CPU: {variant}" if variant else "")
        note = getattr(b, "note", "")
        if note:   # e.g. fell back from the GPU / a fast CPU variant after a runner crash
            self.messages.append(note)
            self.statusBar().showMessage(note, 15000)

    # --- messages ---------------------------------------------------------------------------
    def show_exception(self, exc: BaseException) -> None:
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
        self.show_message(tr("ui.about", qt=QT_VERSION))

    # --- settings -------------------------------------------------------------------------
    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except Exception as exc:  # noqa: BLE001 - shown; the new settings apply to this session
            self.show_exception(exc)

    def open_settings(self) -> SettingsDialog:
        """The settings dialog, its locks from the session's policy (nothing read again)."""
        dlg = SettingsDialog(self.settings, self, policy=self._policy_or_none())
        dlg.accepted.connect(lambda: self.apply_settings(dlg.result_settings()))
        dlg.open()
        return dlg

    def _policy_or_none(self):
        try:
            return self.ctx.policy
        except Exception:  # noqa: BLE001 - a broken policy must not hide the dialog (it locks nothing)
            return None

    def open_doctor(self) -> None:
        dlg = DoctorDialog(self, self.engine_provider)
        dlg.open()
        self.last_dialog = dlg

    def open_models(self) -> None:
        dlg = ModelsDialog(self.settings, self, ctx=self.ctx)
        dlg.model_chosen.connect(self.choose_model)
        dlg.context_renewed.connect(self.set_context)
        dlg.open()

    def choose_model(self, model_id: str) -> None:
        """Activate through the model service (the CLI's rules: policy, locks, verification)."""
        try:
            s = self.engine_provider.service().activate(model_id)
        except GennaiError as exc:
            self.show_message(exc.message())
            return
        self.apply_settings(s)

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        self.settings = new
        self.engine_provider.settings = new
        self.set_context(self.ctx.with_settings(new))
        self._save_settings()
        self.autosave_store = AutosaveStore(self.store, keep_days=new.recovery_keep_days)
        if self.store is not None and new.history_retention_days != old.history_retention_days:
            try:                             # shorter retention / history off applies now, not at next save
                self.store.purge_results_older_than(new.history_retention_days)
            except Exception as exc:  # noqa: BLE001 - told in the status bar; purged again at the next save
                self.show_status(str(exc))
        self._autosave_timer.start(new.autosave_interval_s * 1000)
        if new.proofread_use_model != old.proofread_use_model:
            # the open 校正 tab follows 設定 (it read the setting only when it was built);
            # a run in progress keeps what it started with
            self.proofread_tab.use_model.setChecked(new.proofread_use_model)
        if new.language != old.language and self.task_running():
            self.show_message(tr("ui.error.busy"))   # rebuilt when idle: next start / next change
        elif new.language != old.language:
            state = self.collect_state()
            set_language(new.language)
            install_qt_translations(QApplication.instance(), new.language)
            self._build_ui()
            self.restore_state(state, reopen=False)
        else:
            self._build_status()

    # --- autosave / recovery ----------------------------------------------------------------
    def mark_dirty(self) -> None:
        self._dirty = True

    def collect_state(self) -> dict:
        """Every open document with its tabs' results (the active one under "tabs", the
        others under "documents"), for autosave and a language switch."""
        active = self.active_session
        return {"document": str(self.document.path) if self.document and self.document.path else None,
                "active_tab": self.tabs.currentIndex(),
                "tabs": {t.task_name: self._tab_snapshot(t) for t in self.task_tabs},
                "documents": [{"path": s.path, "tabs": s.tabs} for s in self.sessions
                              if s is not active and s.path and s.tabs],
                "ocr_kept": [snap for snap in (self._ocr_snapshot(s) for s in self.sessions) if snap]}

    def _ocr_snapshot(self, session: DocSession) -> dict | None:
        """The OCR'd blocks of a scan for the autosave, computed once per opening."""
        cache = self.__dict__.setdefault("_ocr_kept", {})
        key = (session.path, session.key.sha256)
        if key not in cache:
            cache[key] = ocr_snapshot(session.document)
        return cache[key]

    def _reopen_for_recovery(self, path: str, kept: list) -> bool:
        """Open ``path`` again after a crash: a scan whose OCR text the autosave kept is
        built from it (no minutes of OCR again), and the status bar says so; an edited or
        never-OCR'd file is read as usual (with the OCR progress line)."""
        for snap in kept:
            doc = document_from_snapshot(snap, path) if isinstance(snap, dict) else None
            if doc is not None:
                self.open_document(doc)
                self._remember(Path(path))
                self.show_status(tr("ui3.recovery.ocr_reused", name=Path(path).name))
                return True
        if any(isinstance(snap, dict) and snap.get("path") == str(Path(path).resolve()) for snap in kept):
            self.show_status(tr("ui3.recovery.ocr_again", name=Path(path).name))
        return self.open_path(path)

    def has_content(self) -> bool:
        return (self.draft_tab.has_user_input() or any(t.result is not None for t in self.task_tabs)
                or any(s.has_results() for s in self.sessions if s is not self.active_session))

    def unsaved_work(self) -> list[str]:
        """What would be lost: 「文書名：要約、校正」 per document, and typed 起案 fields."""
        self._stash_active()
        out = [tr("ui.quit.unsaved_doc", name=s.name, tabs="、".join(tr(f"ui.tab.{n}") for n in s.unsaved_tabs()))
               for s in self.sessions if s.unsaved_tabs()]
        loose = [t for t in self.task_tabs if not t.bound_to_document and t.has_unsaved_result()
                 and t is not self.draft_tab]
        if loose:
            out.append("、".join(tr(f"ui.tab.{t.task_name}") for t in loose))
        if self.draft_tab.has_unsaved_result() or self.draft_tab.has_user_input():
            out.append(tr("ui.quit.unsaved_draft"))
        return out

    def has_unsaved(self) -> bool:
        return bool(self.unsaved_work())

    def autosave_now(self, kept_on_exit: bool = False) -> bool:
        """Write the crash-recovery state; ``kept_on_exit``: the user quit and chose to keep
        the work (the next start then says so instead of reporting a crash)."""
        if not self.autosave_enabled or not self._dirty:
            return False
        self._dirty = False
        try:
            if self.has_content():
                state = self.collect_state()
                if kept_on_exit:
                    state["kept_on_exit"] = True
                self.autosave_store.save(state)
            else:
                self.autosave_store.discard()
        except Exception as exc:  # noqa: BLE001 - autosave must never take the app down
            self.show_status(str(exc))
            return False
        return True

    def restore_state(self, state: dict, reopen: bool = True) -> None:
        if reopen:
            kept = state.get("ocr_kept") or []
            for d in state.get("documents") or []:   # the other open documents, each with its results
                p = d.get("path") if isinstance(d, dict) else None
                if p and Path(p).exists() and self._reopen_for_recovery(p, kept):
                    for t in self.task_tabs:
                        if t.bound_to_document and t.task_name in (d.get("tabs") or {}):
                            self._restore_tab(t, d["tabs"][t.task_name])
            doc_path = state.get("document")
            if doc_path and Path(doc_path).exists():
                self._reopen_for_recovery(doc_path, kept)
        tabs = state.get("tabs") or {}
        for t in self.task_tabs:
            if t.task_name in tabs:
                self._restore_tab(t, tabs[t.task_name])
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
            self.autosave_store.forget(rec)
            self.autosave_now()
            self.show_status(tr("ui.recovery.restored"))
            return True
        self.autosave_store.forget(rec)
        return False

    @staticmethod
    def recovery_question(rec: Recoverable) -> str:
        """A crash and a quit where the user chose to keep the work are told apart."""
        return tr("ui.recovery.kept_question" if rec.data.get("kept_on_exit") else "ui.recovery.question")

    def _ask_recovery(self, rec: Recoverable) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, tr("ui.recovery.title"),
                          self.recovery_question(rec), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)
        box.setDetailedText(rec.preview())
        box.setInformativeText(rec.preview(160))
        return box.exec() == QMessageBox.StandardButton.Yes

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's virtual method name
        """Quitting with unsaved results or decisions asks: keep them for the next start
        (encrypted), discard them, or stay."""
        choice = "discard"
        work = self.unsaved_work()
        if work:
            choice = (self.quit_chooser or self._ask_quit)(work)
            if choice == "cancel":
                event.ignore()
                return
        for t in self.task_tabs:
            t.cancel()
        if self.autosave_enabled:
            if choice == "keep" and self.autosave_store.enabled:
                self._dirty = True
                self.autosave_now(kept_on_exit=True)    # offered again at next start, as kept work
            else:
                self.autosave_store.discard()
        self._autosave_timer.stop()
        super().closeEvent(event)

    def _ask_quit(self, work: list[str]) -> str:
        """「保持して終了」「破棄して終了」「キャンセル」 (no 保持 without the encrypted store)."""
        box = QMessageBox(QMessageBox.Icon.Warning, tr("ui.quit.title"),
                          tr("ui.quit.question", work="\n".join("・" + w for w in work)),
                          QMessageBox.StandardButton.NoButton, self)
        keep = None
        if self.autosave_enabled and self.autosave_store.enabled:
            keep = box.addButton(tr("ui.quit.keep"), QMessageBox.ButtonRole.AcceptRole)
            box.setInformativeText(tr("ui.quit.keep_info"))
        discard = box.addButton(tr("ui.quit.discard"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(tr("ui.cancel_button"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep or cancel)
        box.exec()
        clicked = box.clickedButton()
        return "keep" if clicked is keep and keep is not None else "discard" if clicked is discard else "cancel"
