"""The one place that imports PySide6 (like Anki's aqt/qt).

Every UI module does ``from .qt import ...``; swapping or pinning the binding, or
adding a compatibility fix, then happens here only. The headless core never imports
this package (import-linter contract in pyproject).
"""
from __future__ import annotations

from PySide6.QtCore import (  # noqa: F401 - re-exported: ui modules import Qt names from here
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QLibraryInfo,
    QMimeData,
    QModelIndex,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QRunnable,
    QSize,
    QStandardPaths,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    QTranslator,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (  # noqa: F401 - re-exported: ui modules import Qt names from here
    QAction,
    QBrush,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextTableFormat,
)
from PySide6.QtPdf import QPdfDocument  # noqa: F401 - re-exported
from PySide6.QtPdfWidgets import QPdfView  # noqa: F401 - re-exported
from PySide6.QtWidgets import (  # noqa: F401 - re-exported: ui modules import Qt names from here
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFocusFrame,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QProxyStyle,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QStyleFactory,
    QTabBar,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

QT_VERSION = __import__("PySide6").__version__


# --- PySide6 6.12.0 refcount bug workaround -------------------------------------------
# The 6.12.0 abi3 wheels return None/True/False from C++ without a new reference, as if
# they were immortal (true only from CPython 3.12, PEP 683). On 3.11 every void Qt call
# (setText, processEvents, …) and every Signal.emit() steals one reference, and after a
# few thousand calls the interpreter aborts ("Fatal Python error: none_dealloc" /
# "bool_dealloc"). We detect the bug once and, on CPython < 3.12 only, give these three
# singletons a huge reference count — the same thing 3.12 does by design — so the
# stolen references can never bring them to zero.
import ctypes as _ctypes  # noqa: E402 - belongs to the workaround explained above
import sys as _sys  # noqa: E402 - belongs to the workaround explained above


class _Probe(QObject):
    sig = Signal()


def _binding_steals_singletons() -> bool:
    probe = _Probe()
    none0, true0 = _sys.getrefcount(None), _sys.getrefcount(True)
    for _ in range(16):
        probe.setObjectName("probe")
        probe.sig.emit()
    return none0 - _sys.getrefcount(None) >= 16 or true0 - _sys.getrefcount(True) >= 16


def _make_singletons_immortal() -> bool:
    if _sys.implementation.name != "cpython" or _sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        _ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40   # ob_refcnt is the first field
    return True


BINDING_REFCOUNT_BUG = _binding_steals_singletons()
SINGLETONS_IMMORTALISED = _make_singletons_immortal() if BINDING_REFCOUNT_BUG else False


def emit(signal, *args) -> None:
    """``signal.emit(*args)``: one place to adapt emitting if a binding needs it."""
    signal.emit(*args)
