"""Make sure Japanese renders as text, not boxes.

Qt wheels bring no fonts. We pick an installed Japanese-capable family explicitly
(Noto Sans CJK JP, Yu Gothic, Meiryo, …) as the application font; if none exists we
say so (a warning the main window shows), instead of silently drawing tofu.
"""
from __future__ import annotations

from .qt import QApplication, QFont, QFontDatabase

PREFERRED = ("Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "Yu Gothic UI", "Yu Gothic",
             "Meiryo UI", "Meiryo", "MS UI Gothic", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
             "IPAexGothic", "IPAGothic", "TakaoPGothic", "VL Gothic", "Noto Serif CJK JP")


def japanese_family() -> str | None:
    families = set(QFontDatabase.families())
    for name in PREFERRED:
        if name in families:
            return name
    ja = set(QFontDatabase.families(QFontDatabase.WritingSystem.Japanese))
    return sorted(ja)[0] if ja else None


def apply_japanese_font(app: QApplication, point_size: float = 10.5) -> str | None:
    """Set the app font to a Japanese-capable family; returns it, or None (caller warns)."""
    family = japanese_family()
    if family is None:
        return None
    font = QFont(family)
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    app.setFont(font)
    return family
