"""The passphrase prompt for the encrypted store (used when there is no OS keyring).

Why a dialog of our own instead of QInputDialog: setting a passphrase needs a confirmation
field and the warning that a forgotten passphrase cannot be recovered, and a short, empty,
mismatched or wrong entry must be told in words (with the tries left before history is off
for this session) instead of the box silently clearing.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.i18n import tr
from ..storage.keys import MIN_PASSPHRASE
from .qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


@dataclass(frozen=True)
class PassphraseRequest:
    """What the prompt shows: first use (set + confirm) or open; the last error; tries left."""
    first_use: bool
    error: str = ""
    tries_left: int = 3

    def prompt(self) -> str:
        return tr("storage.ui.passphrase_new" if self.first_use else "storage.ui.passphrase_open")


def entry_problem(text: str, confirm: str | None) -> str:
    """Why ``text`` cannot be used yet ("" when it can); ``confirm`` is None when opening."""
    if not text:
        return tr("ui2.passphrase.empty")
    if len(text) < MIN_PASSPHRASE:
        key = "ui2.passphrase.short_new" if confirm is not None else "ui2.passphrase.short_open"
        return tr(key, n=MIN_PASSPHRASE, got=len(text))
    if confirm is not None and text != confirm:
        return tr("ui2.passphrase.mismatch")
    return ""


class PassphraseDialog(QDialog):
    """Password field (+ confirmation and the no-recovery warning on first use), an error line."""

    def __init__(self, request: PassphraseRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(tr("storage.ui.passphrase_title"))
        self.request = request
        lay = QVBoxLayout(self)
        intro = QLabel(request.prompt(), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.edit = QLineEdit(self)
        self.edit.setObjectName("passphraseEdit")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(tr("ui2.passphrase.label"))
        form.addRow(tr("ui2.passphrase.label"), self.edit)
        self.confirm: QLineEdit | None = None
        if request.first_use:
            self.confirm = QLineEdit(self)
            self.confirm.setObjectName("passphraseConfirm")
            self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
            self.confirm.setAccessibleName(tr("ui2.passphrase.confirm"))
            form.addRow(tr("ui2.passphrase.confirm"), self.confirm)
        lay.addLayout(form)
        if request.first_use:
            warn = QLabel(tr("ui2.passphrase.no_recovery"), self)
            warn.setObjectName("passphraseWarning")
            warn.setWordWrap(True)
            warn.setStyleSheet("font-weight: bold;")
            lay.addWidget(warn)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("passphraseError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828; font-weight: bold;")   # 5.6:1 on white
        lay.addWidget(self.error_label)
        self.show_error(self._tries_text(request.error))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self._fit()

    WIDTH = 520

    def _fit(self) -> None:
        """Tall enough for the wrapped text at WIDTH: sizeHint() measures the labels unwrapped,
        which cut the last line of a two-line error off (seen in the screenshots)."""
        lay = self.layout()
        need = lay.heightForWidth(self.WIDTH) if lay.hasHeightForWidth() else self.sizeHint().height()
        self.resize(self.WIDTH, max(need, self.sizeHint().height(), self.height() if self.isVisible() else 0))

    def _tries_text(self, error: str) -> str:
        if not error:
            return ""
        return f"{error}\n{tr('ui2.passphrase.tries_left', n=self.request.tries_left)}"

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
        if self.layout() is not None and self.layout().count() and hasattr(self, "WIDTH"):
            self._fit()

    def try_accept(self) -> bool:
        """OK: accept only a usable entry; otherwise say why and keep what was typed."""
        problem = entry_problem(self.edit.text(), self.confirm.text() if self.confirm is not None else None)
        if problem:
            self.show_error(problem)
            target = self.confirm if problem == tr("ui2.passphrase.mismatch") and self.confirm else self.edit
            target.setFocus()
            target.selectAll()
            return False
        self.accept()
        return True

    def passphrase(self) -> str:
        return self.edit.text()


def ask_with_dialog(parent: QWidget | None = None):
    """The default ``ask(request) -> str | None`` for ui.app.open_store_interactive."""

    def ask(request: PassphraseRequest) -> str | None:
        dlg = PassphraseDialog(request, parent)
        ask.last_dialog = dlg            # tests drive the modal dialog through this
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        text = dlg.passphrase() if ok else None
        dlg.deleteLater()                # a parentless dialog is not kept for the whole session
        return text

    ask.last_dialog = None
    return ask
