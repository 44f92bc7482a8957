"""What every task tab shares: options on top, run/cancel, progress, streamed output,
notices, and save-as-.docx / copy for the result.

A tab builds a task generator factory (``make_task``); a TaskWorker runs it off the UI
thread and the tab renders the events it gets back. Subclasses add options, render the
final result (``show_result``), export it (``export_result``, through tasks/export.py) and (de)serialise their state
for autosave (``state`` / ``restore_state``).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from ...app import recording
from ...core.cancel import CancelToken
from ...core.document import DocumentKey
from ...core.errors import GennaiError
from ...core.events import Notice, Progress, Stats, TextDelta
from ...core.i18n import has_key, tr
from ...storage.history import audit_preflight
from ..engine_provider import EngineReady
from ..file_dialogs import ask_save
from ..ops import run_in_background
from ..progress_clock import ProgressClock
from ..qt import (
    QApplication,
    QEvent,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    emit,
)
from ..theme import notice_text_colour
from ..worker import TaskWorker

DRAFT_GREY = "#808080"
STREAM_FLUSH_MS = 50        # streamed tokens are inserted at most this often, in one piece
CLOCK_TICK_MS = 1000        # the progress line is rewritten this often, so it never stands still


class TaskTab(QWidget):
    task_name = ""                     # i18n suffix: ui.tab.<task_name>
    bound_to_document = True           # the result is about host.document (not 起案)
    shows_stream = True                # the streamed draft is visible (校正 shows a table)
    busy_changed = Signal(bool)
    stats = Signal(object)             # core.events.Stats
    engine_ready = Signal(object)      # EngineReady
    failed = Signal(object)            # exception → main window's error dialog
    changed = Signal()                 # something worth autosaving

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.worker: TaskWorker | None = None
        self.result: Any = None
        self.result_doc: DocumentKey | None = None   # the document self.result came from
        self._run_doc: DocumentKey | None = None
        self.last_run_outcome = ""       # "done" | "cancelled" | "failed"
        self.last_report = None          # tasks.export.ExportReport of the last save
        self._saved_fp: str | None = None    # result_fingerprint() when it was last saved/exported
        self._notice_items: list = []        # (key, params) or plain text, in the order shown
        self.setObjectName(f"tab_{self.task_name}")
        root = QVBoxLayout(self)
        self.options = QVBoxLayout()
        root.addLayout(self.options)
        bar = QHBoxLayout()
        self.run_button = QPushButton(tr("ui.run"))
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Ctrl+Enter")
        self.cancel_button = QPushButton(tr("ui.cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setToolTip("Esc")
        self.cancel_button.setEnabled(False)
        self.run_button.setAccessibleName(tr("ui.run"))
        self.cancel_button.setAccessibleName(tr("ui.cancel"))
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.run_button)
        bar.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        self.progress.setAccessibleName(tr("ui.a11y.progress"))
        bar.addWidget(self.progress, 1)
        root.addLayout(bar)
        # the whole progress line (stage, units, elapsed, characters, time left) under the
        # bar, wrapped: inside the bar it was cut off at 1280 px and overlapped at 1024 px
        self.progress_line = QLabel()
        self.progress_line.setObjectName("progressLine")
        self.progress_line.setWordWrap(True)
        self.progress_line.setVisible(False)
        self.progress_line.setAccessibleName(tr("ui.a11y.progress"))
        root.addWidget(self.progress_line)
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setObjectName("notices")
        self._style_notices()
        self.notices.setVisible(False)
        self.notices.setAccessibleName(tr("ui.a11y.notices"))
        root.addWidget(self.notices)
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setObjectName("streamOutput")
        self.stream.setPlaceholderText(tr("ui.output.placeholder"))
        self.stream.setAccessibleName(tr("ui.a11y.stream"))
        # what the model streams is a draft until the task has validated it: shown grey,
        # under this label, and replaced by the validated result (or cleared) at the end
        self.draft_label = QLabel(tr("ui.output.draft"))
        self.draft_label.setObjectName("draftLabel")
        self.draft_label.setStyleSheet(f"color: {DRAFT_GREY};")
        self.draft_label.setVisible(False)
        self.showing_draft = False
        self._pending: list[str] = []        # streamed text not yet in the view
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(STREAM_FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush_stream)
        self.stream_inserts = 0              # insertText calls (one per flush, not per token)
        # honest progress for long work: elapsed time, characters so far, an estimate once
        # two units are done (ProgressClock); the line is rewritten every second
        self.clock: ProgressClock | None = None
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(CLOCK_TICK_MS)
        self._clock_timer.timeout.connect(self.tick_progress)
        self.body = QVBoxLayout()
        root.addLayout(self.body, 1)
        self.body.addWidget(self.draft_label)
        self.body.addWidget(self.stream, 1)
        out = QHBoxLayout()
        self.save_button = QPushButton(tr("ui.save_docx"))
        self.save_button.setObjectName("saveButton")
        self.copy_button = QPushButton(tr("ui.copy"))
        self.copy_button.setObjectName("copyButton")
        self.save_button.setAccessibleName(tr("ui.save_docx"))
        self.copy_button.setAccessibleName(tr("ui.copy"))
        self.save_button.clicked.connect(lambda: self.save_dialog())
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        # what the last save wrote and left out, in full (the status bar cut it off)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setWordWrap(True)
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_label.setVisible(False)
        out.addWidget(self.saved_label, 1)
        out.addWidget(self.copy_button)
        out.addWidget(self.save_button)
        root.addLayout(out)
        self._update_buttons()

    def _style_notices(self) -> None:
        """Notice text in the theme's colour (a fixed brown was unreadable in dark mode)."""
        self.notices.setStyleSheet(f"color: {notice_text_colour().name()};")

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._style_notices()
        super().changeEvent(event)

    # --- to override -------------------------------------------------------------
    def make_task(self, engine, cancel: CancelToken) -> Iterator[Any]:
        raise NotImplementedError

    def make_lazy_task(self, get_engine: Callable[[], Any], cancel: CancelToken) -> Iterator[Any]:
        """Runs in the worker thread. Default: load the model first, then the task.
        A tab whose task has model-free work (校正 rules) overrides this to show it sooner."""
        engine = get_engine()            # lazy model load, in the worker thread
        if hasattr(engine, "backend_info"):
            yield EngineReady(engine.spec, engine.backend_info())
        cancel.raise_if_cancelled()
        yield from self.make_task(engine, cancel)

    def needs_document(self) -> bool:
        return True

    def load_engine(self, provider):
        """The engine for this run, in the worker thread (a tab may avoid loading a model
        it would not use; it then returns an object with only ``spec``, or None)."""
        return provider.get()

    def validate(self) -> str | None:
        """An i18n key explaining why the task cannot run now, or None."""
        if self.needs_document() and self.host.document is None:
            return "ui.error.no_document"
        return None

    def show_result(self, result: Any) -> None:
        self.stream.setPlainText(self.result_text())

    def result_text(self) -> str:
        return self.stream.toPlainText()

    def export_result(self, target: str):
        """Write the result to ``target`` through the task's export (tasks/export.py);
        returns its ExportReport. Runs in the background pool: no widgets here."""
        raise NotImplementedError

    def export_job(self, target: str) -> Callable[[], Any]:
        """What saving does, as a callable for the background pool: everything it needs
        from widgets is read here, on the UI thread; the callable only writes the file."""
        return lambda: self.export_result(target)

    def state(self) -> dict:
        self.flush_stream()
        # an unvalidated draft is not autosaved as if it were the result
        stream = "" if self.showing_draft else self.stream.toPlainText()
        return {"stream": stream, "notices": [list(n) if isinstance(n, tuple) else n for n in self._notice_items],
                **self._document_state()}

    def restore_state(self, state: dict) -> None:
        """The state's own result and notices; nothing of what the tab showed before stays
        (a 「処理を中止しました」 from an earlier run above a reopened result misleads)."""
        self._drop_pending()
        self._show_draft(False)
        self._clear_notices()
        if self.state_matches_document(state):
            self.stream.setPlainText(state.get("stream", ""))
            self.result_doc = DocumentKey.from_dict(state.get("document"))
            for item in state.get("notices") or []:
                if isinstance(item, str):
                    self.add_notice(item)
                elif isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
                    self.add_notice_key(item[0], **(item[1] if isinstance(item[1], dict) else {}))
        else:
            self.stream.clear()

    # --- saved or not (closing a document or the window asks about unsaved work) -------
    def result_fingerprint(self) -> str | None:
        """A digest of what the user would lose: the result and, for 校正, the decisions."""
        if self.result is None:
            return None
        st = self.state()
        core = {k: st.get(k) for k in ("stream", "result", "findings", "decisions")}
        return hashlib.sha1(json.dumps(core, sort_keys=True, ensure_ascii=False, default=str)
                            .encode("utf-8")).hexdigest()

    def mark_saved(self, saved: bool = True) -> None:
        self._saved_fp = self.result_fingerprint() if saved else None

    def has_unsaved_result(self) -> bool:
        return self.result is not None and self.result_fingerprint() != self._saved_fp

    def saved_message(self, path: str) -> str:
        """「保存しました」 and every count the export could not write (ExportReport)."""
        report = self.last_report
        lost = report.lines()[1:] if report is not None else []
        return "\n".join([tr("ui.saved", path=path), *lost])

    def default_filename(self) -> str:
        """Named after the document the result came from, never the one open now."""
        src = self.result_doc if self.result_doc is not None else getattr(self.host, "document_key", None)
        stem = (src.name if src is not None and src.name else "") or "gennai"
        return f"{stem}_{tr('ui.tab.' + self.task_name)}.docx"

    # --- which document the result belongs to --------------------------------------
    def result_is_current(self) -> bool:
        """True when the result may be shown/saved next to the open document."""
        if self.result is None:
            return False
        if not self.bound_to_document:
            return True
        return self.result_doc is not None and self.result_doc.same_document(
            getattr(self.host, "document_key", None))

    def document_changed(self, key: DocumentKey | None) -> bool:
        """Another document was opened: drop a result computed from a different one.
        Returns True when something was cleared."""
        if not self.bound_to_document:
            return False
        if self.busy:                       # its result would be about the old text
            self.cancel()
        if self.result is None and not self.stream.toPlainText():
            return False
        if self.result_doc is not None and self.result_doc.same_document(key):
            return False                    # the same text re-opened: offsets still hold
        self.clear_result()
        return True

    def clear_result(self) -> None:
        self.result = None
        self.result_doc = None
        self.saved_label.setVisible(False)
        self._drop_pending()
        self.stream.clear()
        self._show_draft(False)
        self._clear_notices()
        self._saved_fp = None
        self._update_buttons()
        emit(self.changed)

    def state_matches_document(self, state: dict) -> bool:
        """An autosaved/rebuilt state's result may be restored only onto its own document."""
        if not self.bound_to_document:
            return True
        saved = DocumentKey.from_dict(state.get("document"))
        return saved is not None and saved.same_document(getattr(self.host, "document_key", None))

    def _document_state(self) -> dict:
        return {"document": self.result_doc.to_dict()} if self.result_doc is not None else {}

    # --- running -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run(self) -> bool:
        if self.busy or self.host.task_running():
            return False
        problem = self.validate()
        if problem:       # an i18n key, or (key, params) for a message with details
            key, params = problem if isinstance(problem, tuple) else (problem, {})
            self.host.show_message(tr(key, **params))
            return False
        try:
            ctx = getattr(self.host, "ctx", None)      # the session's context (MainWindow)
            if ctx is not None:        # policy requires an audit line this task could not write
                recording.preflight(ctx)
            else:
                audit_preflight()
        except GennaiError as exc:
            self.host.show_message(exc.message())
            return False
        self.result = None
        self.result_doc = None
        self.saved_label.setVisible(False)
        self._run_doc = getattr(self.host, "document_key", None)
        self._drop_pending()
        self.stream.clear()
        self._show_draft(True)
        self._clear_notices()
        self.progress.setRange(0, 0)
        self._set_progress_text(tr("ui.progress.loading"))
        self.progress.setVisible(True)
        self.progress_line.setVisible(True)
        self.clock = ProgressClock()
        self.clock.stage = "ui.progress.loading"
        self._clock_timer.start()
        self._notice_keys: set[str] = set()
        provider = self.host.engine_provider
        make = self.make_lazy_task
        load = self.load_engine

        def factory(cancel: CancelToken) -> Iterator[Any]:
            yield from make(lambda: load(provider), cancel)

        self.worker = TaskWorker(factory)
        s = self.worker.signals
        s.event.connect(self._on_event)
        s.done.connect(self._on_done)
        s.failed.connect(self._on_failed)
        s.cancelled.connect(self._on_cancelled)
        s.finished.connect(self._on_finished)
        self.worker.start()
        self._update_buttons()
        emit(self.busy_changed, True)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._set_progress_text(tr("ui.progress.cancelling"))

    def _on_event(self, ev: Any) -> None:
        if isinstance(ev, TextDelta):
            self.append_stream(ev.text, ev.channel)
            if self.clock is not None:
                self.clock.add_text(len(ev.text))
        elif isinstance(ev, Progress):
            self.progress.setRange(0, max(1, ev.total))
            self.progress.setValue(min(ev.done, ev.total))
            if self.clock is not None:
                self.clock.update(ev.done, ev.total, ev.stage if ev.stage and has_key(ev.stage) else "",
                                  "ui.clock.unit.page" if "page" in ev.stage else
                                  "ui.clock.unit.block" if "block" in ev.stage else
                                  "ui.clock.unit.chunk" if ev.total > 1 else "ui.clock.unit.step")
            self.tick_progress()
        elif isinstance(ev, Notice):
            self._notice_keys.add(ev.key)
            self.add_notice_key(ev.key, **ev.params)
        elif isinstance(ev, Stats):
            emit(self.stats, ev)
        elif isinstance(ev, EngineReady):
            if self.clock is not None and self.clock.stage == "ui.progress.loading":
                self.clock.stage = "ui.progress.generating"
            self.tick_progress()
            emit(self.engine_ready, ev)

    def tick_progress(self) -> None:
        """Rewrite the progress line from the clock (every second while a task runs)."""
        if self.clock is None or not self.busy:
            return
        if self.progress_line.text() == tr("ui.progress.cancelling"):
            return
        self._set_progress_text(self.clock.text())

    def _set_progress_text(self, text: str) -> None:
        """The full line under the bar; the bar itself shows only units done (``4/5``)."""
        self.progress_line.setText(text)
        self.progress.setToolTip(text)
        self.progress.setFormat("%v/%m" if self.progress.maximum() > 1 else "")

    def _show_draft(self, on: bool, label_key: str = "ui.output.draft") -> None:
        """Grey + labelled while the text is unvalidated model output; normal once it is the result."""
        self.showing_draft = on
        self.draft_label.setText(tr(label_key))
        self.draft_label.setVisible(on and self.shows_stream)
        self.stream.setStyleSheet(f"color: {DRAFT_GREY};" if on else "")

    def _end_draft(self) -> None:
        """The run ended without a validated result: the draft is not the result."""
        if self.showing_draft and self.stream.toPlainText().strip():
            self._show_draft(True, "ui.output.draft_unvalidated")
        else:
            self._show_draft(False)

    def append_stream(self, text: str, channel: str = "main") -> None:
        """Queue streamed text; it reaches the view in one insert per STREAM_FLUSH_MS
        (a token per insertText re-lays the document thousands of times)."""
        self._pending.append(text)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush_stream(self) -> None:
        self._flush_timer.stop()
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        cur = self.stream.textCursor()
        cur.movePosition(cur.MoveOperation.End)
        cur.insertText(text)
        self.stream.setTextCursor(cur)
        self.stream_inserts += 1

    def _drop_pending(self) -> None:
        self._flush_timer.stop()
        self._pending.clear()

    def add_notice(self, text: str, _item: Any = None) -> None:
        prev = self.notices.text()
        if text in prev.split("\n"):
            return
        self._notice_items.append(_item if _item is not None else text)
        self.notices.setText(f"{prev}\n{text}" if prev else text)
        self.notices.setVisible(True)

    def add_notice_key(self, key: str, **params: Any) -> None:
        """A notice kept as its message key, so a restored result says it in the current language."""
        plain = {k: v if isinstance(v, (str, int, float, bool)) or v is None else str(v) for k, v in params.items()}
        self.add_notice(tr(key, **params), (key, plain))

    def _clear_notices(self) -> None:
        self._notice_items = []
        self.notices.clear()
        self.notices.setVisible(False)

    def _on_done(self, result: Any) -> None:
        self.flush_stream()
        if self.bound_to_document and not (self._run_doc is not None and self._run_doc.same_document(
                getattr(self.host, "document_key", None))):
            self.last_run_outcome = "cancelled"    # finished after another document was opened
            return
        self.result = result
        self.result_doc = self._run_doc
        self.last_run_outcome = "done"
        for key in getattr(result, "notices", []) or []:
            if key not in self._notice_keys:      # events already showed it with its details
                self.add_notice_key(key)
        self.stream.clear()                       # the draft goes; the validated result comes
        self._show_draft(False)
        self.show_result(result)
        self._record(result, "ok")
        emit(self.changed)

    def _record(self, result: Any, outcome: str) -> None:
        """History (encrypted) and audit line, through the host (MainWindow.record_result)."""
        record = getattr(self.host, "record_result", None)
        if record is not None:
            record(self, result, outcome)

    def _on_failed(self, exc: BaseException, tb: str) -> None:
        self.flush_stream()
        self.last_run_outcome = "failed"
        self._record(None, "error:" + (getattr(exc, "key", None) or type(exc).__name__))
        self._end_draft()
        emit(self.failed, exc)

    def _on_cancelled(self) -> None:
        self.flush_stream()
        self.last_run_outcome = "cancelled"
        self._record(None, "cancelled")
        self._end_draft()
        self.add_notice_key("cancelled")

    def _on_finished(self) -> None:
        self.flush_stream()
        self._clock_timer.stop()
        self.worker = None
        self.progress.setVisible(False)
        self.progress_line.setVisible(False)
        self._update_buttons()
        emit(self.busy_changed, False)

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(not self.busy)
        self.cancel_button.setEnabled(self.busy)
        has = self.result is not None and self.result_is_current()
        self.save_button.setEnabled(has and not self.busy)
        self.copy_button.setEnabled(not self.busy and has)

    # --- output ----------------------------------------------------------------------
    def copy_to_clipboard(self) -> str:
        text = self.result_text()
        QApplication.clipboard().setText(text)
        self.host.show_status(tr("ui.copied"))
        return text

    def save_dialog(self, chooser: Callable[[str], str] | None = None) -> str | None:
        if self.result is None:
            return None
        if not self.result_is_current():
            self.host.show_message(tr("ui.result.other_document",
                                      name=self.result_doc.name if self.result_doc else "?"))
            return None
        if chooser is None:
            path = ask_save(self, tr("ui.save_docx"), self.default_filename(),
                            f"{tr('ui3.open.filter.word')} (*.docx)", getattr(self.host, "folders", None))
        else:
            path = chooser(self.default_filename())
        if not path:
            return None
        if not path.lower().endswith(".docx"):
            path += ".docx"
        self.save_button.setEnabled(False)
        op = run_in_background(self.export_job(path))
        ok = op.wait()                   # the event loop runs meanwhile: the window stays live
        self._update_buttons()
        self.last_report = op.result if ok else None
        if not ok:                       # shown as a dialog, the app stays up
            emit(self.failed, op.error)
            return None
        message = self.saved_message(path)
        self.host.show_status(message)
        self.saved_label.setText(message)
        self.saved_label.setVisible(True)
        self.host.result_saved(self)
        return path
