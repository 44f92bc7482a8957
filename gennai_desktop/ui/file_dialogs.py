"""Open/save dialogs: Qt's own dialog in the UI language, starting in the last used folder,
offering every kind of file the app reads (scans and images too).

Why: the static ``QFileDialog.get*`` calls started in the launch folder every time and, in
the Japanese UI, still said "Look in:" / "Files of type:" — Qt 6 added a mnemonic to those
source strings and qtbase_ja.qm only has the old ones (see ui.translations). The folder is
remembered for the session and seeded from the most recent file (the recent list lives in
the encrypted store; no folder name is written to settings.json).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.i18n import tr
from ..documents.loader import SUPPORTED_SUFFIXES
from .qt import QDialog, QFileDialog, QWidget

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")


def _globs(suffixes) -> str:
    return " ".join(f"*{s}" for s in suffixes)


def open_filter() -> str:
    """「対応するすべての文書」 first (every suffix the loader reads), then one entry per kind."""
    groups = [("ui3.open.filter.all", SUPPORTED_SUFFIXES), ("ui3.open.filter.word", (".docx",)),
              ("ui3.open.filter.pdf", (".pdf",)), ("ui3.open.filter.images", IMAGE_SUFFIXES),
              ("ui3.open.filter.text", TEXT_SUFFIXES)]
    return ";;".join(f"{tr(key)} ({_globs(s)})" for key, s in groups)


class FolderMemory:
    """The folder the next dialog starts in: the last one a file was opened from or saved
    to in this session, else the folder of the most recent file that still exists."""

    def __init__(self, recent: Callable[[], list[str]]) -> None:
        self._recent = recent
        self.folder: str = ""

    def start(self) -> str:
        if self.folder and Path(self.folder).is_dir():
            return self.folder
        for p in self._recent():
            parent = Path(p).parent
            if parent.is_dir():
                return str(parent)
        return ""

    def used(self, path: str | Path) -> None:
        parent = Path(path).parent
        if str(parent) and parent.is_dir():
            self.folder = str(parent)


def run_dialog(dialog: QFileDialog) -> str:
    """Show the dialog modally; the chosen path or "". Tests replace this to look at the
    dialog (its language, folder, filters) and answer it."""
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.selectedFiles():
        return dialog.selectedFiles()[0]
    return ""


def _dialog(parent: QWidget | None, title: str, folder: str, name_filter: str) -> QFileDialog:
    d = QFileDialog(parent, title, folder, name_filter)
    d.setObjectName("gennaiFileDialog")
    # Qt's own dialog: in the app's language (a native one follows the OS), and testable
    d.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    return d


def ask_open(parent: QWidget | None, title: str, name_filter: str, memory: FolderMemory | None = None) -> str:
    d = _dialog(parent, title, memory.start() if memory else "", name_filter)
    d.setFileMode(QFileDialog.FileMode.ExistingFile)
    d.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    path = run_dialog(d)
    if path and memory is not None:
        memory.used(path)
    return path


def ask_save(parent: QWidget | None, title: str, filename: str, name_filter: str,
             memory: FolderMemory | None = None) -> str:
    folder = memory.start() if memory else ""
    d = _dialog(parent, title, str(Path(folder) / filename) if folder else filename, name_filter)
    d.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    d.setFileMode(QFileDialog.FileMode.AnyFile)
    path = run_dialog(d)
    if path and memory is not None:
        memory.used(path)
    return path


def ask_folder(parent: QWidget | None, title: str, start: str = "", memory: FolderMemory | None = None) -> str:
    d = _dialog(parent, title, start or (memory.start() if memory else ""), "")
    d.setFileMode(QFileDialog.FileMode.Directory)
    d.setOption(QFileDialog.Option.ShowDirsOnly, True)
    path = run_dialog(d)
    if path and memory is not None:
        memory.folder = path
    return path
