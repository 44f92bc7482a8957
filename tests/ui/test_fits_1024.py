"""At 1024×700 the window stays 1024 wide with every tab showing its result: no label that
does not wrap may widen the task pane (the 校正 count line with its collapsed-hint note did,
to 1160 px, squeezing the document to a sliver — seen in the issue 25 screenshots)."""
from __future__ import annotations

from gennai_desktop.ui.qt import QApplication, QSplitter

from .conftest import wait_idle

DENSHI = "law_denshi-shomei_412AC0000000102.docx"


def test_task_pane_fits_a_1024_screen_with_results(window, qtbot, ja_corpus):
    window.resize(1024, 700)
    assert window.open_path(ja_corpus / DENSHI)
    pt = window.proofread_tab
    pt.profile_box.setCurrentIndex(pt.profile_box.findData("koyobun"))
    for tab in (pt, window.summary_tab, window.translate_tab):
        window.tabs.setCurrentWidget(tab)
        assert tab.run()
        wait_idle(qtbot, tab)
    assert pt.model.rowCount() > 0
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        need = window.tabs.minimumSizeHint().width()
        assert need <= 700, (window.tabs.widget(i).objectName(), need)
    splitter = window.findChild(QSplitter)
    assert splitter.minimumSizeHint().width() <= 1024
    assert window.width() <= 1024
