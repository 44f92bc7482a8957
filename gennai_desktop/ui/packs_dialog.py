"""Model-pack manager: installed packs with version / vendor / domestic / signature
status, update from the ministry mirror or a folder (USB stick), rollback, verify.

All operations are the packs API's generators (``gennai_desktop.packs.api``), run by a
TaskWorker so the window stays responsive; their Progress shows in the bar and their
errors (PackError, Japanese messages) in a dialog.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..app.models import ModelService
from ..core.events import Progress
from ..core.i18n import get_language, has_key, tr
from ..core.settings import Settings
from ..packs.api import rollback, trust_notices, update_from_folder, update_from_mirror, verify
from .errors import show_error
from .file_dialogs import ask_folder
from .ops import background_pool
from .qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
    emit,
)
from .worker import TaskWorker

COLS = ("name", "version", "previous", "vendor", "domestic", "status", "signed_by", "allowed", "active")


def done_message(result: Any) -> str:
    """「完了しました。」 — and after すべて検証, how many packs were checked, how many are
    intact and which are not (with why), instead of the same word for every outcome."""
    if not isinstance(result, dict) or not all(hasattr(v, "ok") for v in result.values()):
        return tr("ui.packs.done")
    if not result:
        return tr("ui3.packs.verified_none")
    bad = {pid: v for pid, v in result.items() if not v.ok}
    line = tr("ui3.packs.verified_counts", total=len(result), ok=len(result) - len(bad), bad=len(bad))
    details = [tr("ui3.packs.verified_bad", id=pid, status=tr(f"ui.packs.status.{v.status}"),
                  reason=v.reason or "-") for pid, v in sorted(bad.items())]
    return "\n".join([line, *details])


class PacksDialog(QDialog):
    changed = Signal()      # packs changed: the registry's model list may differ now

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ui.packs.title"))
        self.setObjectName("packsDialog")
        self.resize(900, 380)
        self.settings = settings
        self.worker: TaskWorker | None = None
        self.rows: list = []
        self.last_error: BaseException | None = None
        lay = QVBoxLayout(self)
        self.table = QTableWidget(0, len(COLS))
        self.table.setObjectName("packsTable")
        self.table.setHorizontalHeaderLabels([tr(f"ui.packs.col.{c}") for c in COLS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay.addWidget(self.table)
        self.trust_notice = QLabel()            # developer mode, policy fallback, metadata age
        self.trust_notice.setWordWrap(True)
        lay.addWidget(self.trust_notice)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        lay.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        self.mirror_button = QPushButton(tr("ui.packs.update_mirror"))
        self.folder_button = QPushButton(tr("ui.packs.update_folder"))
        self.rollback_button = QPushButton(tr("ui.packs.rollback"))
        self.verify_button = QPushButton(tr("ui.packs.verify"))
        self.cancel_button = QPushButton(tr("ui.cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(lambda: self.worker.cancel() if self.worker else None)
        self.mirror_button.clicked.connect(self.update_from_mirror)
        self.folder_button.clicked.connect(lambda: self.update_from_folder())
        self.rollback_button.clicked.connect(self.rollback_selected)
        self.verify_button.clicked.connect(self.verify_all)
        for b in (self.mirror_button, self.folder_button, self.rollback_button, self.verify_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        service = None
        try:
            service = ModelService(self.settings)
            self.rows = service.pack_rows()
        except Exception as exc:  # noqa: BLE001 - shown, the dialog stays usable
            self.rows = []
            self._fail(exc)
        lang = get_language()
        yes, no = tr("ui.yes"), tr("ui.no")
        self.table.setRowCount(len(self.rows))
        for r, p in enumerate(self.rows):
            status = tr(f"ui.packs.status.{p.status}") if has_key(f"ui.packs.status.{p.status}") else p.status
            cells = (p.name(lang), p.version or "—", p.previous or "—", p.vendor or "—", yes if p.domestic else no,
                     status, p.signed_by or "—", yes if p.allowed else no, "●" if p.active else "")
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        notices = [tr(k, **p) for k, p in trust_notices()]
        self.trust_notice.setText("\n".join(notices))
        self.trust_notice.setVisible(bool(notices))
        has_mirror = bool(service and service.policy.mirror_url)
        self.mirror_button.setEnabled(has_mirror and self.worker is None)
        self.mirror_button.setToolTip("" if has_mirror else tr("ui.packs.no_mirror"))

    # --- operations ------------------------------------------------------------------------
    def update_from_mirror(self) -> bool:
        return self._start(lambda cancel: update_from_mirror(cancel=cancel))

    def update_from_folder(self, folder: str | None = None) -> bool:
        if folder is None:
            folder = ask_folder(self, tr("ui.packs.update_folder"))
        if not folder:
            return False
        return self._start(lambda cancel: update_from_folder(folder, cancel=cancel))

    def rollback_selected(self) -> bool:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.status.setText(tr("ui.packs.select_one"))
            return False
        pack_id = self.rows[rows[0].row()].id
        return self._start(lambda cancel: rollback(pack_id))

    def verify_all(self) -> bool:
        return self._start(lambda cancel: verify())

    def _start(self, factory: Callable[[Any], Iterator[Any]]) -> bool:
        if self.worker is not None:
            return False
        self.last_error = None
        self.worker = TaskWorker(factory)
        s = self.worker.signals
        s.event.connect(self._on_event)
        s.done.connect(lambda r: self.status.setText(done_message(r)))
        s.failed.connect(lambda exc, _tb: self._fail(exc))
        s.cancelled.connect(lambda: self.status.setText(tr("cancelled")))
        s.finished.connect(self._finished)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        for b in (self.mirror_button, self.folder_button, self.rollback_button, self.verify_button):
            b.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker.start(background_pool())   # pack I/O never queues behind a model task
        return True

    def _on_event(self, ev: Any) -> None:
        if isinstance(ev, Progress):
            self.progress.setRange(0, max(1, ev.total))
            self.progress.setValue(ev.done)
            stage = tr(ev.stage) if ev.stage and has_key(ev.stage) else ev.stage
            self.status.setText(f"{stage} {ev.detail}".strip())

    def _fail(self, exc: BaseException) -> None:
        self.last_error = exc
        self.status.setText(str(exc))
        show_error(self, exc)

    def _finished(self) -> None:
        self.worker = None
        self.progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        for b in (self.folder_button, self.rollback_button, self.verify_button):
            b.setEnabled(True)
        self.refresh()
        emit(self.changed)
