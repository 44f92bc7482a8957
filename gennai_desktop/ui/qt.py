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
