"""履歴 dialog: list and search the encrypted result history, reopen a result, delete one or all.

The store does the work (storage/store.py); the previews, task names and the search that
treats 「18 万人」 like 18万人 are storage/history.py's, shared with ``gennai history``. This
dialog only presents them. Deleting asks first, is real (secure_delete + VACUUM) and is
audited without content.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Callable

from ..app import recording
from ..app.context import AppContext
from ..core.i18n import tr
from ..storage.history import audit_event, entry_preview, search_history, task_label
from .qt import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QVBoxLayout,
    Signal,
)


class HistoryDialog(QDialog):
    reopen_requested = Signal(object)        # storage.HistoryEntry

    def __init__(self, store, parent=None, ctx: AppContext | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.ctx = ctx
        self.setObjectName("historyDialog")
        self.setWindowTitle(tr("storage.ui.history_title"))
        self.resize(900, 560)
        root = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(tr("storage.ui.search"))
        self.search.textChanged.connect(lambda _t: self.refresh())
        root.addWidget(self.search)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget()
        self.list.setObjectName("historyList")
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        self.list.itemDoubleClicked.connect(lambda _i: self.reopen())
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setObjectName("historyPreview")
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([380, 520])
        root.addWidget(split, 1)
        row = QHBoxLayout()
        self.reopen_button = QPushButton(tr("storage.ui.reopen"))
        self.delete_button = QPushButton(tr("storage.ui.delete"))
        self.delete_all_button = QPushButton(tr("storage.ui.delete_all"))
        self.reopen_button.clicked.connect(self.reopen)
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.delete_all_button.clicked.connect(lambda: self.delete_all())
        for b in (self.reopen_button, self.delete_button, self.delete_all_button):
            row.addWidget(b)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        row.addWidget(close)
        root.addLayout(row)
        self.entries: list = []
        self.refresh()

    def refresh(self) -> None:
        q = self.search.text().strip()
        self.entries = search_history(self.store, q) if q else self.store.list_results()
        self.list.clear()
        for e in self.entries:
            when = _dt.datetime.fromtimestamp(e.created).strftime("%Y-%m-%d %H:%M")
            snippet = " ".join(entry_preview(e).split())[:30]
            item = QListWidgetItem(f"{when}  {task_label(e.task)}  {e.source_name or e.title}\n{snippet}")
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(0)
        else:
            self.preview.clear()
        has = bool(self.entries)
        for b in (self.reopen_button, self.delete_button):
            b.setEnabled(has)

    def selected(self):
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _show_selected(self) -> None:
        e = self.selected()
        self.preview.setPlainText(entry_preview(e) if e else "")

    def reopen(self) -> None:
        e = self.selected()
        if e is not None:
            self.reopen_requested.emit(e)
            self.accept()

    def delete_selected(self, confirm: Callable[[object], bool] | None = None) -> bool:
        """Delete the selected entry after asking (it cannot be undone)."""
        e = self.selected()
        if e is None:
            return False
        if confirm is None:
            def confirm(entry) -> bool:
                text = tr("storage.ui.confirm_delete", task=task_label(entry.task),
                          name=entry.source_name or entry.title or "—")
                return QMessageBox.question(self, tr("storage.ui.history_title"), text) == \
                    QMessageBox.StandardButton.Yes
        if not confirm(e):
            return False
        self.store.delete_result(e.id)
        self._audit("history.delete", task=e.task, doc_sha256=e.source_sha256 or None, doc_size=e.source_size,
                    outcome="ok")
        self.refresh()
        return True

    def _audit(self, action: str, **fields: object) -> None:
        """Through the session's context when the window gave one (its audit log, no lookup)."""
        if self.ctx is not None:
            recording.event(self.ctx, action, **fields)
        else:
            audit_event(action, **fields)

    def delete_all(self, confirm: Callable[[], bool] | None = None) -> bool:
        if confirm is None:
            def confirm() -> bool:
                return QMessageBox.question(self, tr("storage.ui.history_title"),
                                            tr("storage.ui.confirm_delete_all")) == QMessageBox.StandardButton.Yes
        if not confirm():
            return False
        n = self.store.delete_all_results()
        self._audit("history.delete_all", outcome="ok", detail=str(n))
        self.refresh()
        return True
