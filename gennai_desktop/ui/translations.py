"""Qt's own strings (OK/Cancel, file dialogs) in the UI language: at start-up (ui.app)
and when the user switches language (ui.main_window).

qtbase_ja.qm (the PySide6 wheel's) predates Qt 6 adding mnemonics to some source strings
— the file dialog asks for "&Look in:" and "Files of &type:", the catalogue has "Look in:"
and "Files of type:" — so the dialog stayed half English. ``MnemonicFallback`` looks such a
string up without its "&" and puts the access key back the Japanese way: 「ファイルの種類(&T):」.
"""
from __future__ import annotations

import re

from ..core.i18n import get_language
from .qt import QApplication, QLibraryInfo, QTranslator

_translators: list = []
_TAIL = re.compile(r"([:：]?)\s*$")


class MnemonicFallback(QTranslator):
    """A Qt catalogue that also finds a source string whose only difference is its '&'."""

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401 - Qt override
        found = super().translate(context, source, disambiguation, n)
        if found or not source or "&" not in source.replace("&&", ""):
            return found
        at = source.replace("&&", "\0\0").find("&")
        plain = source[:at] + source[at + 1:]
        found = super().translate(context, plain, disambiguation, n)
        if not found or "&" in found or at + 1 >= len(source):
            return found
        key = source[at + 1].upper()
        colon = _TAIL.search(found)
        end = colon.start() if colon else len(found)
        return f"{found[:end]}(&{key}){found[end:].strip()}"


def install_qt_translations(app: QApplication, lang: str | None = None) -> bool:
    """Qt's own strings (OK/Cancel, file dialogs) in the UI language."""
    for t in _translators:
        app.removeTranslator(t)
    _translators.clear()
    lang = lang or get_language()
    if lang == "en":
        return True
    tr_ = MnemonicFallback(app)
    if tr_.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(tr_)
        _translators.append(tr_)
        return True
    return False
