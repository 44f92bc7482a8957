"""Light or dark palette, following the operating system's setting (Qt 6.5+ colour scheme).

Why our own palette: on Linux/Windows the default style often keeps light widgets when the OS
switches to dark mode; the Fusion style with an explicit palette looks the same everywhere.
"""
from __future__ import annotations

from .qt import QApplication, QColor, QGuiApplication, QPalette, Qt


def os_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme and scheme() == Qt.ColorScheme.Dark)


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(30, 30, 30), QColor(45, 45, 45), QColor(230, 230, 230)
    R = QPalette.ColorRole
    for role, colour in ((R.Window, window), (R.WindowText, text), (R.Base, base),
                         (R.AlternateBase, window), (R.ToolTipBase, window), (R.ToolTipText, text),
                         (R.Text, text), (R.Button, window), (R.ButtonText, text),
                         (R.BrightText, QColor(255, 80, 80)), (R.Link, QColor(110, 170, 255)),
                         (R.Highlight, QColor(45, 110, 200)), (R.HighlightedText, QColor(255, 255, 255)),
                         (R.PlaceholderText, QColor(150, 150, 150))):
        p.setColor(role, colour)
    p.setColor(QPalette.ColorGroup.Disabled, R.Text, QColor(120, 120, 120))
    p.setColor(QPalette.ColorGroup.Disabled, R.ButtonText, QColor(120, 120, 120))
    return p


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Dark palette when the OS is in dark mode (or ``dark`` says so); returns whether dark."""
    dark = os_prefers_dark() if dark is None else dark
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setProperty("gennaiDark", dark)
    return dark


def follow_os_theme(app: QApplication) -> None:
    """Apply now and again whenever the OS switches between light and dark."""
    apply_theme(app)
    signal = getattr(QGuiApplication.styleHints(), "colorSchemeChanged", None)
    if signal is not None:
        signal.connect(lambda _scheme: apply_theme(app))
