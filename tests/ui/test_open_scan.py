"""Opening a scan in the window: OCR progress per page in the status bar, the OCR'd pages named,
and Esc stops it between pages without a dialog or a half-open document."""
from __future__ import annotations

from tests.support import ocr_synth as synth

LINES = ["第一条　この規則は、文書の管理について定める。", "第二条　職員は、文書を適切に保存する。"]


def _scan(tmp_path, pages: int):
    images = [synth.render_lines(LINES) for _ in range(pages)]
    path = tmp_path / "scan.pdf"
    images[0].save(path, resolution=200, save_all=True, append_images=images[1:])
    return path


def test_scan_opens_with_ocr_progress_and_the_pages_named(window, qtbot, tmp_path):
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)
    assert window.open_path(_scan(tmp_path, 1))
    assert window.document is not None and any(b.ocr for b in window.document.blocks)
    assert "文書の管理" in window.document.text.replace(" ", "")
    assert any("文字認識（OCR）中" in m and "/1" in m for m in seen), seen
    assert any("文字認識（OCR）で読み取りました: 1 ページ" in m for m in seen), seen


def test_esc_stops_the_ocr_between_pages(window, qtbot, tmp_path):
    seen: list[str] = []
    window.statusBar().messageChanged.connect(seen.append)
    done: list[bool] = []
    op = window.open_path_async(_scan(tmp_path, 3), on_done=done.append)
    assert op is not None
    qtbot.waitUntil(lambda: any("文字認識（OCR）中" in m for m in seen), timeout=60000)
    window.cancel_current()
    qtbot.waitUntil(lambda: bool(done), timeout=120000)
    assert done == [False] and window.document is None
    assert any("中止しました" in m for m in seen) and window.last_dialog is None
