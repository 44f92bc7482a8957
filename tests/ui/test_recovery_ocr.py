"""Crash recovery does not OCR a scan again silently (issue 25 item 5): the autosave keeps
the OCR'd blocks with the file's sha256; recovery builds the document from them and says
so; a file changed since is read again, and the status bar says why."""
from __future__ import annotations

from gennai_desktop.core.settings import load_settings
from gennai_desktop.ui import main_window as mw
from tests.support import ocr_synth as synth

from .conftest import make_window, wait_idle

LINES = ["第一条　この規則は、文書の管理について定める。", "第二条　職員は、文書を適切に保存する。"]


def _scan(path, lines):
    synth.render_lines(lines).save(path, resolution=200)
    return path


def _crashed_state(qtbot, tmp_path):
    path = _scan(tmp_path / "scan.pdf", LINES)
    w = make_window(qtbot, autosave=True)
    assert w.open_path(path)
    assert any(b.ocr for b in w.document.blocks)
    tab = w.proofread_tab
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    wait_idle(qtbot, tab)
    assert tab.result is not None
    return path, w.document, w.collect_state()


def test_recovery_reuses_the_kept_ocr_text(qtbot, app_font, tmp_path, monkeypatch):
    path, doc, state = _crashed_state(qtbot, tmp_path)

    def no_second_read(p):
        raise AssertionError(f"{p} was read (OCR'd) again")

    monkeypatch.setattr(mw, "load_document", no_second_read)
    w2 = make_window(qtbot, settings=load_settings())
    seen: list[str] = []
    w2.statusBar().messageChanged.connect(seen.append)
    w2.restore_state(state)
    assert w2.document is not None and w2.document.text == doc.text
    assert [b.boxes for b in w2.document.blocks] == [b.boxes for b in doc.blocks]   # citations still find their box
    assert w2.proofread_tab.result is not None                     # the result came back onto it
    assert any("読み取り直していません" in m and "scan.pdf" in m for m in seen), seen


def test_recovery_reads_a_changed_scan_again_and_says_why(qtbot, app_font, tmp_path):
    path, doc, state = _crashed_state(qtbot, tmp_path)
    _scan(path, ["第一条　この規則は、物品の管理について定める。"])
    w2 = make_window(qtbot, settings=load_settings())
    seen: list[str] = []
    w2.statusBar().messageChanged.connect(seen.append)
    w2.restore_state(state)
    assert any("変更されているため" in m and "読み取り直しています" in m for m in seen), seen
    assert w2.document is not None and "物品" in w2.document.text.replace(" ", "")
