"""Inputs that are safe with a Japanese input method (IME).

While 変換 (composition) is in progress the preedit text is not yet the user's text:
Enter confirms the conversion and must never submit a form or run a task. These
editors track the preedit state from QInputMethodEvent, swallow Enter and block
window shortcuts (Ctrl+Enter, Esc) while composing.
"""
from __future__ import annotations

from .qt import QApplication, QEvent, QInputMethodEvent, QKeyEvent, QLineEdit, QPlainTextEdit, Qt, Signal, emit

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class _ImeState:
    composing = False

    def _track(self, event: QInputMethodEvent) -> None:
        self.composing = bool(event.preeditString())


class ImeLineEdit(QLineEdit, _ImeState):
    """Single-line input; Enter (outside composition) emits ``submitted``."""

    submitted = Signal()

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._track(event)
        super().inputMethodEvent(event)

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and self.composing:
            ev.accept()   # keys belong to the IME, not to window shortcuts
            return True
        return super().event(ev)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER:
            if not self.composing and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                emit(self.submitted)
            event.accept()
            return
        super().keyPressEvent(event)


class ImeTextEdit(QPlainTextEdit, _ImeState):
    """Multi-line input; Enter during composition does not insert a newline."""

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self._track(event)
        super().inputMethodEvent(event)

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and self.composing:
            ev.accept()
            return True
        return super().event(ev)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and self.composing:
            event.accept()
            return
        if event.key() in _ENTER and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.ignore()   # Ctrl+Enter is the window's "run"; not a newline
            return
        super().keyPressEvent(event)


def focus_is_composing() -> bool:
    """True when the focused input is in the middle of an IME conversion."""
    w = QApplication.focusWidget()
    return bool(getattr(w, "composing", False))


def commit_text(widget, text: str) -> None:
    """Type ``text`` as an IME commit (tests, scripts: QTest cannot type Japanese)."""
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def preedit_text(widget, text: str) -> None:
    """Start/continue a composition showing ``text`` as preedit (tests)."""
    ev = QInputMethodEvent(text, [])
    QApplication.sendEvent(widget, ev)
