"""Qt's own strings (OK/Cancel, file dialogs) in the UI language: at start-up (ui.app)
and when the user switches language (ui.main_window)."""
from __future__ import annotations

from ..core.i18n import get_language
from .qt import QApplication, QLibraryInfo, QTranslator

_translators: list = []


def install_qt_translations(app: QApplication, lang: str | None = None) -> bool:
    """Qt's own strings (OK/Cancel, file dialogs) in the UI language."""
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    lang = lang or get_language()
    if lang == "en":
        return True
    tr_ = QTranslator(app)
    if tr_.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(tr_)
        _translators.append(tr_)
        return True
    return False
