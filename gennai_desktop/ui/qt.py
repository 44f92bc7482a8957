"""The one place that imports PySide6 (like Anki's aqt/qt).

Every UI module does ``from .qt import ...``; swapping or pinning the binding, or
adding a compatibility fix, then happens here only. The headless core never imports
this package (import-linter contract in pyproject).
"""
from __future__ import annotations

from PySide6.QtCore import (  # noqa: F401
    QAbstractTableModel, QCoreApplication, QMimeData, QPoint, QEvent, QLibraryInfo, QTranslator, QModelIndex, QObject, QPointF, QRunnable,
    QSize, QStandardPaths, Qt, QThread, QThreadPool, QTimer, QUrl, Signal, Slot,
)
from PySide6.QtGui import (  # noqa: F401
    QAction, QBrush, QColor, QDragEnterEvent, QDropEvent, QFont, QFontDatabase, QGuiApplication,
    QImage, QInputMethodEvent, QKeyEvent, QKeySequence, QPainter, QPalette, QShortcut, QTextBlockFormat,
    QTextCharFormat, QTextCursor, QTextDocument, QTextTableFormat,
)
from PySide6.QtWidgets import (  # noqa: F401
    QAbstractItemView, QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
    QFormLayout, QFrame, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QMainWindow, QMenu, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton,
    QScrollArea, QSpinBox, QSplitter, QStackedWidget, QStatusBar, QTableView, QTableWidget,
    QTableWidgetItem, QTabWidget,
    QTextBrowser, QTextEdit, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)
from PySide6.QtPdf import QPdfDocument  # noqa: F401
from PySide6.QtPdfWidgets import QPdfView  # noqa: F401

QT_VERSION = __import__("PySide6").__version__


# --- PySide6 6.12.0 refcount bug workaround -------------------------------------------
# SignalInstance.emit() returns True without a new reference: every Python-side emit
# steals one reference to True, and after a few thousand streamed tokens the
# interpreter aborts ("Fatal Python error: bool_dealloc"). We probe once and, if the
# binding has the bug, give the reference back after each emit. Always emit via emit().
import ctypes as _ctypes  # noqa: E402
import sys as _sys  # noqa: E402


class _Probe(QObject):
    sig = Signal()


def _emit_steals_bool() -> bool:
    probe = _Probe()
    before = _sys.getrefcount(True)
    for _ in range(16):
        probe.sig.emit()
    return before - _sys.getrefcount(True) >= 16


_STEALS = _emit_steals_bool()
if _STEALS:   # repay what the probe took
    for _ in range(16):
        _ctypes.pythonapi.Py_IncRef(_ctypes.py_object(True))


def emit(signal, *args) -> None:
    """``signal.emit(*args)``, safe on PySide6 builds whose emit leaks a bool reference."""
    result = signal.emit(*args)
    if _STEALS and isinstance(result, bool):
        _ctypes.pythonapi.Py_IncRef(_ctypes.py_object(result))
