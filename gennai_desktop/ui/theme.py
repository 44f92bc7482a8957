"""Light or dark palette, following the operating system's setting (Qt 6.5+ colour scheme).

Why our own palette: on Linux/Windows the default style often keeps light widgets when the OS
switches to dark mode; the Fusion style with an explicit palette looks the same everywhere.

Colours that widgets set themselves (the 採用/不採用 rows, hint text) come from here in a light
and a dark variant, each pair at least 4.5:1 (WCAG 2.x AA for text), and the keyboard focus gets
a 2-pixel ring (QFocusFrame drawn by FocusRingStyle) of at least 3:1 against the window — the
Fusion style's own focus hint is a faint tint of the highlight colour.
"""
from __future__ import annotations

from .qt import (
    QApplication,
    QColor,
    QFocusFrame,
    QGuiApplication,
    QMenu,
    QMenuBar,
    QPalette,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    Qt,
    QWidget,
)

# (background, text) per decision and theme; tests/ui/test_dark_mode.py checks the contrast
DECISION_COLOURS = {
    False: {"accepted": (QColor(220, 245, 220), QColor(20, 20, 20)),
            "rejected": (QColor(240, 240, 240), QColor(20, 20, 20))},
    True: {"accepted": (QColor(28, 74, 40), QColor(235, 245, 235)),
           "rejected": (QColor(58, 58, 58), QColor(225, 225, 225))},
}
# a translated sentence to check (negation may have flipped): marked like a highlighter
REVIEW_MARK = {False: (QColor(255, 236, 150), QColor(20, 20, 20)),
               True: (QColor(100, 80, 0), QColor(245, 240, 220))}
# a task's notices (「1 文で否定の有無が…」): brown on light, amber on dark (≥ 4.5:1 on Base)
NOTICE_TEXT = {False: QColor(138, 75, 0), True: QColor(255, 190, 110)}
HINT_TEXT = {False: QColor(96, 96, 96), True: QColor(175, 175, 175)}
FOCUS_RING = {False: QColor(0, 84, 180), True: QColor(110, 175, 255)}
FOCUS_RING_WIDTH = 2


def os_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    scheme = getattr(hints, "colorScheme", None)
    return bool(scheme and scheme() == Qt.ColorScheme.Dark)


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether the palette in use is dark (a dark base colour), whoever set it."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def decision_colours(decision: str) -> tuple[QColor, QColor] | None:
    """(background, text) for a 採用/不採用 row in the current theme; None for 未判断."""
    return DECISION_COLOURS[is_dark()].get(decision)


def review_mark_colours() -> tuple[QColor, QColor]:
    """(background, text) marking a sentence to review in the current theme."""
    return REVIEW_MARK[is_dark()]


def notice_text_colour() -> QColor:
    return NOTICE_TEXT[is_dark()]


def hint_text_colour() -> QColor:
    return HINT_TEXT[is_dark()]


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


class FocusRingStyle(QProxyStyle):
    """Fusion, with QFocusFrame drawn as a solid ring in FOCUS_RING's colour."""

    def drawControl(self, element, option, painter, widget=None) -> None:  # noqa: N802 - Qt's virtual method name
        if element == QStyle.ControlElement.CE_FocusFrame:
            painter.fillRect(option.rect, FOCUS_RING[is_dark(option.palette)])
            return
        super().drawControl(element, option, painter, widget)

    def pixelMetric(self, metric, option=None, widget=None) -> int:  # noqa: N802 - Qt's virtual method name
        if metric in (QStyle.PixelMetric.PM_FocusFrameHMargin, QStyle.PixelMetric.PM_FocusFrameVMargin):
            return FOCUS_RING_WIDTH
        return super().pixelMetric(metric, option, widget)


class FocusRing:
    """One QFocusFrame that follows the keyboard focus around every window."""

    def __init__(self, app: QApplication) -> None:
        self.frame: QFocusFrame | None = None
        app.focusChanged.connect(self._moved)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.frame is not None:
            try:
                self.frame.setWidget(None)
                self.frame.deleteLater()
            except RuntimeError:         # its parent (a closed dialog) already took it along
                pass
            self.frame = None
        if new is None or isinstance(new, (QMenu, QMenuBar)) or new.isWindow():
            return
        self.frame = QFocusFrame(new)
        self.frame.setWidget(new)


_focus_ring: FocusRing | None = None


def apply_theme(app: QApplication, dark: bool | None = None) -> bool:
    """Dark palette when the OS is in dark mode (or ``dark`` says so); returns whether dark."""
    global _focus_ring
    dark = os_prefers_dark() if dark is None else dark
    if not isinstance(app.style(), FocusRingStyle):
        app.setStyle(FocusRingStyle(QStyleFactory.create("Fusion")))
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    app.setProperty("gennaiDark", dark)
    if _focus_ring is None:
        _focus_ring = FocusRing(app)
    return dark


def follow_os_theme(app: QApplication) -> None:
    """Apply now and again whenever the OS switches between light and dark."""
    apply_theme(app)
    signal = getattr(QGuiApplication.styleHints(), "colorSchemeChanged", None)
    if signal is not None:
        signal.connect(lambda _scheme: apply_theme(app))
