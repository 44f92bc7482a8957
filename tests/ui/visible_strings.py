"""Every string a user can see in a window: labels, buttons, check boxes, tab titles, group
titles, menu entries, combo box items, placeholders, table headers and tooltips of visible
widgets. Used by the language check (test_ui_language.py)."""
from __future__ import annotations

from collections.abc import Iterator

from gennai_desktop.ui.qt import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTabBar,
    QTextEdit,
    QToolButton,
    QWidget,
)


def _menu_strings(menu: QMenu, where: str) -> Iterator[tuple[str, str]]:
    for act in menu.actions():
        if act.isSeparator() or not act.isVisible():
            continue
        if act.menu() is not None:
            yield f"{where}>{act.text()}", act.text()
            yield from _menu_strings(act.menu(), f"{where}>{act.text()}")
        elif act.text():
            yield f"{where}>menu", act.text()


def visible_strings(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for each visible string under ``root`` (its menus included)."""
    if isinstance(root, QMainWindow):
        for act in root.menuBar().actions():
            if act.menu() is not None and act.isVisible():
                yield "menubar", act.text()
                yield from _menu_strings(act.menu(), act.text())
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        texts: list[str] = []
        if isinstance(w, (QLabel, QPushButton, QCheckBox, QToolButton)):
            texts.append(w.text())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            texts.append(w.placeholderText())
        if isinstance(w, QHeaderView) and w.model() is not None:      # table and tree headers
            texts += [str(w.model().headerData(i, w.orientation(), Qt.ItemDataRole.DisplayRole) or "")
                      for i in range(w.count()) if not w.isSectionHidden(i)]
        if w.toolTip():
            texts.append(w.toolTip())
        for t in texts:
            if t and t.strip():
                yield name, t
