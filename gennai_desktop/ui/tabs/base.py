"""What every task tab shares: options on top, run/cancel, progress, streamed output,
notices, and save-as-.docx / copy for the result.

A tab builds a task generator factory (``make_task``); a TaskWorker runs it off the UI
thread and the tab renders the events it gets back. Subclasses add options, render the
final result (``show_result``), save it (``save_result``) and (de)serialise their state
for autosave (``state`` / ``restore_state``).
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator

from ...core.cancel import CancelToken
from ...core.events import Notice, Progress, Stats, TextDelta
from ...core.i18n import has_key, tr
from ..engine_provider import EngineReady
from ..qt import (
    emit,
    QApplication, QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QProgressBar, QPushButton,
    QVBoxLayout, QWidget, Signal,
)
from ..worker import TaskWorker


class TaskTab(QWidget):
    task_name = ""                     # i18n suffix: ui.tab.<task_name>
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
        self.cancel_requested_at: float | None = None
        self.last_run_outcome = ""       # "done" | "cancelled" | "failed"
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
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.run_button)
        bar.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        bar.addWidget(self.progress, 1)
        root.addLayout(bar)
        self.notices = QLabel()
        self.notices.setWordWrap(True)
        self.notices.setObjectName("notices")
        self.notices.setStyleSheet("color: #8a4b00;")
        self.notices.setVisible(False)
        root.addWidget(self.notices)
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setObjectName("streamOutput")
        self.stream.setPlaceholderText(tr("ui.output.placeholder"))
        self.body = QVBoxLayout()
        root.addLayout(self.body, 1)
        self.body.addWidget(self.stream, 1)
        out = QHBoxLayout()
        self.save_button = QPushButton(tr("ui.save_docx"))
        self.save_button.setObjectName("saveButton")
        self.copy_button = QPushButton(tr("ui.copy"))
        self.copy_button.setObjectName("copyButton")
        self.save_button.clicked.connect(lambda: self.save_dialog())
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        out.addStretch(1)
        out.addWidget(self.copy_button)
        out.addWidget(self.save_button)
        root.addLayout(out)
        self._update_buttons()

    # --- to override -------------------------------------------------------------
    def make_task(self, engine, cancel: CancelToken) -> Iterator[Any]:
        raise NotImplementedError

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

    def save_result(self, target: str) -> None:
        raise NotImplementedError

    def state(self) -> dict:
        return {"stream": self.stream.toPlainText()}

    def restore_state(self, state: dict) -> None:
        self.stream.setPlainText(state.get("stream", ""))

    def default_filename(self) -> str:
        stem = self.host.document.path.stem if self.host.document and self.host.document.path else "gennai"
        return f"{stem}_{tr('ui.tab.' + self.task_name)}.docx"

    # --- running -------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run(self) -> bool:
        if self.busy or self.host.task_running():
            return False
        problem = self.validate()
        if problem:
            self.host.show_message(tr(problem))
            return False
        self.result = None
        self.stream.clear()
        self.notices.clear()
        self.notices.setVisible(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat(tr("ui.progress.loading"))
        self.progress.setVisible(True)
        self.cancel_requested_at = None
        self._notice_keys: set[str] = set()
        provider = self.host.engine_provider
        make = self.make_task
        load = self.load_engine

        def factory(cancel: CancelToken) -> Iterator[Any]:
            engine = load(provider)          # lazy model load, in the worker thread
            if hasattr(engine, "backend_info"):
                yield EngineReady(engine.spec, engine.backend_info())
            cancel.raise_if_cancelled()
            yield from make(engine, cancel)

        self.worker = TaskWorker(factory)
        s = self.worker.signals
        s.event.connect(self._on_event)
        s.done.connect(self._on_done)
        s.failed.connect(self._on_failed)
        s.cancelled.connect(self._on_cancelled)
        s.finished.connect(self._on_finished)
        self._t0 = time.perf_counter()
        self.worker.start()
        self._update_buttons()
        emit(self.busy_changed, True)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.cancel_requested_at = time.perf_counter()
            self.worker.cancel()
            self.progress.setFormat(tr("ui.progress.cancelling"))

    def _on_event(self, ev: Any) -> None:
        if isinstance(ev, TextDelta):
            self.append_stream(ev.text, ev.channel)
        elif isinstance(ev, Progress):
            self.progress.setRange(0, max(1, ev.total))
            self.progress.setValue(min(ev.done, ev.total))
            stage = tr(ev.stage) if ev.stage and has_key(ev.stage) else ""
            self.progress.setFormat(tr("ui.progress.chunks", done=ev.done, total=ev.total, stage=stage))
        elif isinstance(ev, Notice):
            self._notice_keys.add(ev.key)
            self.add_notice(tr(ev.key, **ev.params))
        elif isinstance(ev, Stats):
            emit(self.stats, ev)
        elif isinstance(ev, EngineReady):
            self.progress.setFormat(tr("ui.progress.generating"))
            emit(self.engine_ready, ev)

    def append_stream(self, text: str, channel: str = "main") -> None:
        cur = self.stream.textCursor()
        cur.movePosition(cur.MoveOperation.End)
        cur.insertText(text)
        self.stream.setTextCursor(cur)

    def add_notice(self, text: str) -> None:
        prev = self.notices.text()
        if text in prev.split("\n"):
            return
        self.notices.setText(f"{prev}\n{text}" if prev else text)
        self.notices.setVisible(True)

    def _on_done(self, result: Any) -> None:
        self.result = result
        self.last_run_outcome = "done"
        for key in getattr(result, "notices", []) or []:
            if key not in self._notice_keys:      # events already showed it with its details
                self.add_notice(tr(key))
        self.show_result(result)
        emit(self.changed)

    def _on_failed(self, exc: BaseException, tb: str) -> None:
        self.last_run_outcome = "failed"
        emit(self.failed, exc)

    def _on_cancelled(self) -> None:
        self.last_run_outcome = "cancelled"
        self.add_notice(tr("cancelled"))

    def _on_finished(self) -> None:
        self.worker = None
        self.progress.setVisible(False)
        self._update_buttons()
        emit(self.busy_changed, False)

    def _update_buttons(self) -> None:
        self.run_button.setEnabled(not self.busy)
        self.cancel_button.setEnabled(self.busy)
        has = self.result is not None
        self.save_button.setEnabled(has and not self.busy)
        self.copy_button.setEnabled(not self.busy and (has or bool(self.stream.toPlainText().strip())))

    # --- output ----------------------------------------------------------------------
    def copy_to_clipboard(self) -> str:
        text = self.result_text()
        QApplication.clipboard().setText(text)
        self.host.show_status(tr("ui.copied"))
        return text

    def save_dialog(self, chooser: Callable[[str], str] | None = None) -> str | None:
        if self.result is None:
            return None
        if chooser is None:
            path, _ = QFileDialog.getSaveFileName(self, tr("ui.save_docx"), self.default_filename(),
                                                  "Word (*.docx)")
        else:
            path = chooser(self.default_filename())
        if not path:
            return None
        if not path.lower().endswith(".docx"):
            path += ".docx"
        try:
            self.save_result(path)
        except Exception as exc:  # noqa: BLE001 - shown as a dialog, the app stays up
            emit(self.failed, exc)
            return None
        self.host.show_status(tr("ui.saved", path=path))
        self.host.result_saved(self)
        return path
