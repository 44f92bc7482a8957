"""Clear Japanese error dialogs instead of tracebacks; the app stays up.

``describe(exc)`` turns any exception into (title, message) — GennaiError subclasses
carry their own translated message; out-of-memory and unexpected errors get honest
generic ones. ``install_excepthook`` makes uncaught exceptions in Qt slots show a
dialog (and a log file) rather than killing the process.
"""
from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable

from ..core.errors import DegenerateOutputError, DocumentError, GennaiError, ModelError, OutputError
from ..core.i18n import tr
from ..core.paths import home_dir
from .qt import QMessageBox, QWidget


def describe(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, MemoryError):
        return tr("ui.error.title.model"), tr("ui.error.oom")
    if isinstance(exc, GennaiError):
        msg = exc.message()
        for cls, key in ((DocumentError, "document"), (ModelError, "model"),
                         (DegenerateOutputError, "degenerate"), (OutputError, "output")):
            if isinstance(exc, cls):
                return tr(f"ui.error.title.{key}"), msg
        return tr("ui.error.title.generic"), msg
    if isinstance(exc, OSError):
        return tr("ui.error.title.generic"), tr("ui.error.os", reason=exc.strerror or str(exc))
    return tr("ui.error.title.generic"), tr("error.internal", reason=f"{type(exc).__name__}: {exc}")


def _frames_only(tb: str) -> str:
    """A traceback without exception messages: messages can quote document text (機密性2),
    and this log is plaintext. Frames (file, line, code) and exception type names stay."""
    out = []
    for line in tb.splitlines():
        if line.startswith((" ", "Traceback", "During handling", "The above exception")) or not line.strip():
            out.append(line)
        else:
            out.append(line.split(":", 1)[0] + ": <message withheld>")
    return "\n".join(out)


def log_exception(exc: BaseException, tb: str | None = None) -> None:
    """Append the traceback to home_dir()/logs/ui-errors.log (for support, never shown raw).

    Only frames and exception types are written (see _frames_only), plus a GennaiError's key."""
    try:
        logs = home_dir() / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        text = _frames_only(tb or "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        if getattr(exc, "key", None):
            text += f"\nkey: {exc.key}"
        with open(logs / "ui-errors.log", "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{text}\n")
    except OSError:
        pass


def show_error(parent: QWidget | None, exc: BaseException, tb: str | None = None) -> QMessageBox:
    """A non-blocking (window-modal) error dialog; returns it so tests can read it."""
    if not isinstance(exc, GennaiError):
        log_exception(exc, tb)
    title, msg = describe(exc)
    box = QMessageBox(QMessageBox.Icon.Critical, title, msg, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    box.open()
    return box


def install_excepthook(parent_getter: Callable[[], QWidget | None]) -> None:
    """Uncaught exceptions (e.g. in a slot) show a dialog; the app keeps running."""
    previous = sys.excepthook

    def hook(etype, value, tb):
        if issubclass(etype, KeyboardInterrupt):
            previous(etype, value, tb)
            return
        text = "".join(traceback.format_exception(etype, value, tb))
        sys.stderr.write(text)
        try:
            show_error(parent_getter(), value, text)
        except Exception:  # noqa: BLE001 - never raise from the hook itself
            pass

    sys.excepthook = hook
