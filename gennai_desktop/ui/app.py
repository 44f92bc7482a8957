"""Start the desktop app: QApplication, Japanese font, excepthook, window, then
(later, lazily) the model. ``python -m gennai_desktop [FILE]`` and the
``gennai-desktop`` launcher both call ``main``."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..app.context import AppContext
from ..core.i18n import set_language, tr
from ..core.settings import Settings, load_settings
from ..storage import ProtectedStore, StoreUnavailable, needs_passphrase, open_store, store_dir
from .errors import install_excepthook
from .fonts import apply_japanese_font
from .main_window import MainWindow
from .passphrase_dialog import PassphraseRequest, ask_with_dialog
from .qt import QApplication, QGuiApplication, Qt, QTimer
from .theme import follow_os_theme
from .translations import install_qt_translations
from .worker import task_pool

APP_NAME = "GENNAI Desktop"
PASSPHRASE_TRIES = 3               # wrong passphrases before history is off for the session


def make_app(argv: Sequence[str] | None = None) -> tuple[QApplication, str | None]:
    """The QApplication (created once) with high-DPI rounding and a Japanese font."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(argv or [sys.argv[0]]))
        app.setApplicationName(APP_NAME)
        app.setOrganizationName("GENNAI")
    family = apply_japanese_font(app)
    install_qt_translations(app)
    return app, family


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gennai-desktop", description="源内デスクトップ / GENNAI Desktop")
    p.add_argument("file", nargs="?", help=".docx / .pdf / .txt to open")
    p.add_argument("--no-recovery", action="store_true", help="do not offer autosaved sessions")
    return p.parse_args(list(argv) if argv is not None else None)


def effective_settings(ctx: AppContext) -> Settings:
    """Locked values from ministry IT's signed policy win over the user's settings (read
    through the session's context: the signed metadata is verified here, once)."""
    try:
        return ctx.settings
    except Exception:  # noqa: BLE001 - a policy problem must not stop the app from starting
        return ctx.user_settings


def session_context(store: ProtectedStore | None = None) -> AppContext:
    """The UI session's one context (trust view, policy, settings, models, audit, store);
    the window passes it to its tabs and dialogs and records every result through it."""
    return AppContext(load_settings(), store=store)


def open_store_interactive(parent=None, ask=None, tries: int = PASSPHRASE_TRIES):
    """The encrypted store, asking for a passphrase when there is no OS keyring.

    Returns (store, "") or (None, why): cancelling or ``tries`` wrong passphrases run the app
    with history and autosave off (never in plaintext). ``ask(PassphraseRequest) -> str | None``
    is the prompt (ui.passphrase_dialog by default); each request carries the last error and
    how many tries are left, so a wrong entry is told in words, never silently cleared."""
    folder = store_dir()
    if not needs_passphrase(folder):
        try:
            return open_store(folder), ""
        except StoreUnavailable as exc:
            return None, exc.message()
    first_use = not (folder / "key.json").exists()
    ask = ask or ask_with_dialog(parent)
    reason = tr("storage.error.no_keyring", env="GENNAI_STORE_PASSPHRASE") if first_use \
        else tr("storage.error.passphrase_needed")
    error = ""
    for used in range(tries):
        pw = ask(PassphraseRequest(first_use=first_use, error=error, tries_left=tries - used))
        if not pw:
            break
        try:
            return open_store(folder, passphrase=pw), ""
        except StoreUnavailable as exc:
            reason = error = exc.message()
    else:
        reason = tr("ui2.passphrase.gave_up", n=tries, reason=reason)
    return None, reason


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    ctx = session_context()
    settings = effective_settings(ctx)
    set_language(settings.language)
    app, family = make_app([sys.argv[0]])
    follow_os_theme(app)               # a dark palette when the OS is in dark mode
    store, why = open_store_interactive()
    window = MainWindow(settings, font_family=family, store=store, store_reason=why, ctx=ctx)
    install_excepthook(lambda: window)
    window.show()                      # before any model is loaded (lazy load)
    if args.file:
        QTimer.singleShot(0, lambda: window.open_path_async(os.path.abspath(args.file)))
    if not args.no_recovery:
        QTimer.singleShot(50, window.check_recovery)
    code = app.exec()
    task_pool().waitForDone(3000)      # closeEvent cancelled running tasks; let them stop
    window.ctx.close()                 # ends the runner process
    return code


if __name__ == "__main__":
    raise SystemExit(main())
