"""Model panel: the models this machine has (installed packs + the bundled development
default), with vendor / domestic / version, and a button to make one active.

The list comes from ``app.models.ModelService`` (the CLI's ``gennai models`` uses the same);
switching goes through ``ModelService.activate`` (policy, locks, verification) and only changes
``Settings.active_model`` — the manager loads the new model lazily at the next task and
closes the old one, so there is never more than one model in memory.
"""
from __future__ import annotations

from ..app.context import AppContext
from ..app.models import ModelService
from ..core.i18n import get_language, tr
from ..core.settings import Settings
from .packs_dialog import PacksDialog
from .qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
    emit,
)


def _service(settings: Settings) -> ModelService | None:
    try:
        return ModelService(settings)
    except Exception:  # noqa: BLE001 - the panel still opens and says there is none
        return None


class ModelsDialog(QDialog):
    model_chosen = Signal(str)
    context_renewed = Signal(object)   # the session's AppContext after the packs changed

    def __init__(self, settings: Settings, parent: QWidget | None = None, ctx: AppContext | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("ui.models.title"))
        self.setObjectName("modelsDialog")
        self.resize(760, 320)
        self.settings = settings
        self.ctx = ctx
        self.service = self._service()
        self.specs = self.service.available() if self.service else []
        lay = QVBoxLayout(self)
        self.table = QTableWidget(len(self.specs), 5)
        self.table.setObjectName("modelsTable")
        self.table.setHorizontalHeaderLabels([tr(f"ui.models.col.{c}") for c in
                                              ("name", "vendor", "domestic", "version", "active")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reload()
        lay.addWidget(self.table)
        if not self.specs:
            lay.addWidget(QLabel(tr("ui.models.none")))
        row = QHBoxLayout()
        self.use_button = QPushButton(tr("ui.models.use"))
        self.use_button.setObjectName("useModelButton")
        self.use_button.clicked.connect(self._use)
        self.packs_button = QPushButton(tr("ui.models.packs"))
        self.packs_button.setObjectName("packsButton")
        self.packs_button.clicked.connect(self.open_packs)
        row.addWidget(self.packs_button)
        row.addStretch(1)
        row.addWidget(self.use_button)
        lay.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def open_packs(self) -> None:
        self.packs_dialog = PacksDialog(self.settings, self)
        self.packs_dialog.changed.connect(self.packs_changed)
        self.packs_dialog.open()

    def _service(self) -> ModelService | None:
        """The session context's service (its trust view and policy) when the window gave one."""
        if self.ctx is not None:
            try:
                return self.ctx.models
            except Exception:  # noqa: BLE001 - the panel still opens and says there is none
                return None
        return _service(self.settings)

    def packs_changed(self) -> None:
        """The signed metadata changed: the session's context is renewed (verified again at
        its next use) and the window told, then the list re-read."""
        if self.ctx is not None:
            self.ctx = self.ctx.renewed()
            emit(self.context_renewed, self.ctx)
        self.reload()

    def reload(self) -> None:
        """Re-read the model list (after a pack update or rollback)."""
        self.service = self._service()
        self.specs = self.service.available() if self.service else []
        lang = get_language()
        active = self._active_id()
        self.table.setRowCount(len(self.specs))
        for r, s in enumerate(self.specs):
            cells = (s.label(lang), s.vendor or "—", tr("ui.yes") if s.domestic else tr("ui.no"),
                     s.version or "—", "●" if s.id == active else "")
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def _active_id(self) -> str:
        spec = self.service.active_or_none() if self.service else None
        return spec.id if spec else self.settings.active_model

    def select(self, model_id: str) -> bool:
        for r, s in enumerate(self.specs):
            if s.id == model_id:
                self.table.selectRow(r)
                return True
        return False

    def _use(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            emit(self.model_chosen, self.specs[rows[0].row()].id)
            self.accept()
