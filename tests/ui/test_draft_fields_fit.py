"""Issue 25 item 8: the 本文の要点 box is usable at 1280×800 and 1024×700 — at least four lines
tall and, scrolled to, wholly inside the fields area; the 通知 fields fit without scrolling."""
from __future__ import annotations

import pytest

from .conftest import make_window


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_key_points_box_is_usable(qtbot, app_font, size):
    from gennai_desktop.ui.qt import QPoint
    w = make_window(qtbot)
    w.resize(*size)
    tab = w.draft_tab
    w.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: w.width() == size[0] and w.height() == size[1], timeout=3000)
    for i in range(tab.template_box.count()):
        tab.template_box.setCurrentIndex(i)
        qtbot.wait(30)
        box = tab.inputs["本文の要点"]
        area = tab.fields_area
        area.ensureWidgetVisible(box)
        qtbot.wait(30)
        lines = box.viewport().height() / box.fontMetrics().lineSpacing()
        assert lines >= 4, (tab.template.id, size, round(lines, 1))
        top = box.mapTo(area.viewport(), QPoint(0, 0)).y()
        assert 0 <= top and top + box.height() <= area.viewport().height(), (tab.template.id, size)
        assert tab.stream.height() >= 4 * tab.stream.fontMetrics().lineSpacing()   # the draft keeps room
        if tab.template.id == "tsuchi":                # the 通知 form fits whole: nothing to scroll to
            assert area.verticalScrollBar().maximum() == 0, size
