"""Issue 25 item 7: in dark mode the 採用/不採用 rows are readable (text/background contrast
≥ 4.5:1, computed here with the WCAG 2.x formula from the colours the table really uses), and
the keyboard focus has a visible ring (≥ 3:1 against the window, 2 pixels wide), light and dark."""
from __future__ import annotations

import pytest

from gennai_desktop.ui import theme

from .conftest import wait_idle


def _luminance(c) -> float:
    def lin(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.red()) + 0.7152 * lin(c.green()) + 0.0722 * lin(c.blue())


def contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(params=[True, False], ids=["dark", "light"])
def themed(request, qapp):
    from gennai_desktop.ui.qt import QPalette
    before = QPalette(qapp.palette())       # later tests (PDF pixel checks) expect the start palette
    theme.apply_theme(qapp, dark=request.param)
    yield request.param
    qapp.setPalette(before)


def test_decided_rows_readable(themed, window, qtbot, report_docx, qapp):
    from gennai_desktop.ui.qt import QPalette, Qt
    assert (qapp.palette().color(QPalette.ColorRole.Base).lightness() < 128) is themed
    tab = window.proofread_tab
    assert window.open_path(report_docx)
    window.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    model = tab.model
    assert model.rowCount() >= 3
    hint_rows = [r for r, f in enumerate(model.findings) if f.severity == "hint"]
    plain_rows = [r for r, f in enumerate(model.findings) if f.severity != "hint"]
    assert len(hint_rows) >= 2 and len(plain_rows) >= 3
    model.set_decision(plain_rows[0], "accepted")
    model.set_decision(plain_rows[1], "rejected")
    model.set_decision(hint_rows[0], "accepted")
    pal = qapp.palette()
    rows = plain_rows[:3] + hint_rows[:2]          # accepted, rejected, pending; hint accepted, pending
    for row in rows:
        for col in range(model.columnCount()):
            idx = model.index(row, col)
            bg = model.data(idx, Qt.ItemDataRole.BackgroundRole)
            fg = model.data(idx, Qt.ItemDataRole.ForegroundRole)
            bg = bg.color() if bg is not None else pal.color(QPalette.ColorRole.Base)
            fg = fg.color() if fg is not None else pal.color(QPalette.ColorRole.Text)
            ratio = contrast(bg, fg)
            assert ratio >= 4.5, (themed, model.decisions[row], row, col, round(ratio, 2))


def test_focus_ring_visible(themed, window, qtbot, qapp):
    from gennai_desktop.ui.qt import QPalette, QPoint
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    tab = window.proofread_tab
    window.tabs.setCurrentWidget(tab)
    button = tab.run_button
    button.setEnabled(True)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus, timeout=3000)
    qtbot.wait(50)
    img = window.grab().toImage()
    bg = qapp.palette().color(QPalette.ColorRole.Window)
    top_left = button.mapTo(window, QPoint(0, 0))
    xs = range(top_left.x() + 6, top_left.x() + button.width() - 6)
    for dy in (1, 2):                   # the two rows of pixels just above the button
        y = top_left.y() - dy
        strong = [x for x in xs if contrast(img.pixelColor(x, y), bg) >= 3.0]
        assert len(strong) >= 0.9 * len(xs), (themed, dy, len(strong), len(xs))
    # and it follows the focus: the button loses it, the ring goes with it
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus, timeout=3000)
    qtbot.wait(50)
    img = window.grab().toImage()
    y = top_left.y() - 1
    assert sum(contrast(img.pixelColor(x, y), bg) >= 3.0 for x in xs) < 0.5 * len(xs)


def test_notices_readable(themed, window, qapp):
    """A task's notice line (「…確認してください。」) was a fixed brown, ~2.5:1 on dark."""
    from gennai_desktop.ui.qt import QColor, QPalette
    tab = window.translate_tab
    tab.add_notice("確認してください。")
    qapp.processEvents()
    sheet = tab.notices.styleSheet()
    colour = QColor(sheet.split("color:")[1].strip().rstrip(";"))
    base = window.palette().color(QPalette.ColorRole.Window)
    assert contrast(colour, base) >= 4.5, (sheet, base.name())
