"""ヘルプ → 動作環境の診断: the same report as ``gennai doctor``, inside the app.

The probe runs on the app's one model (through the engine provider, on the task pool), so it
never loads a second model; the dialog shows the report when it arrives and can copy it for IT.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..app.diagnostics import report_for
from ..core.cancel import CancelToken
from ..core.events import Done
from ..core.i18n import tr
from ..llm.doctor import format_report
from .engine_provider import EngineReady
from .qt import QApplication, QDialog, QDialogButtonBox, QFont, QPlainTextEdit, QPushButton, QVBoxLayout
from .worker import TaskWorker


class DoctorDialog(QDialog):
    def __init__(self, parent, provider) -> None:  # noqa: ANN001 - any QWidget and the window's EngineProvider
        super().__init__(parent)
        self.setWindowTitle(tr("ui.doctor.title"))
        self.setObjectName("doctorDialog")
        self.resize(760, 520)
        self.text = QPlainTextEdit(tr("ui.doctor.running"))
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("ui.doctor.title"))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.TypeWriter)
        self.text.setFont(mono)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(tr("ui.doctor.copy"))
        self.copy_button.clicked.connect(lambda: QApplication.clipboard().setText(self.text.toPlainText()))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(buttons)
        self.report: dict[str, Any] | None = None
        self._provider = provider
        self.worker = TaskWorker(self._task)
        self.worker.signals.done.connect(self._show)
        self.worker.signals.event.connect(self._on_event)
        self.worker.signals.failed.connect(lambda exc, _tb: self.text.setPlainText(str(exc)))
        self.worker.start()

    def _task(self, cancel: CancelToken) -> Iterator[Any]:  # pool thread: no widgets here
        spec = self._provider.active_spec()
        engine = self._provider.get() if spec is not None else None
        report = report_for(spec, self._provider.settings, engine=engine)
        if engine is not None and hasattr(engine, "backend_info") and not report.get("error"):
            yield EngineReady(engine.spec, engine.backend_info())   # the status bar learns it too
        yield Done(report)

    def _on_event(self, ev: Any) -> None:
        host = self.parent()
        if isinstance(ev, EngineReady) and hasattr(host, "_on_engine_ready"):
            host._on_engine_ready(ev)

    def _show(self, report: dict[str, Any]) -> None:
        self.report = report
        self.text.setPlainText(format_report(report))

    def done(self, r: int) -> None:  # noqa: D102 - QDialog.done, overridden to stop the worker
        self.worker.cancel()
        super().done(r)
